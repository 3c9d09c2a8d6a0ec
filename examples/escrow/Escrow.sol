// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A simple escrow: the buyer (the deployer) pays coins in; the buyer or the arbiter
/// releases them to the seller, or the seller or the arbiter refunds them to the buyer.
contract Escrow {
    enum State {
        AwaitingPayment,
        AwaitingDelivery,
        Released,
        Refunded
    }

    address public immutable buyer;
    address public immutable seller;
    address public immutable arbiter;
    uint256 public amount;
    State public state;

    event Deposited(address indexed buyer, uint256 amount);
    event Released(address indexed seller, uint256 amount);
    event Refunded(address indexed buyer, uint256 amount);

    constructor(address seller_, address arbiter_) {
        require(seller_ != address(0) && arbiter_ != address(0), "Escrow: zero address");
        buyer = msg.sender;
        seller = seller_;
        arbiter = arbiter_;
    }

    /// The buyer pays by sending coins to the escrow's address.
    receive() external payable {
        require(msg.sender == buyer, "Escrow: only the buyer pays in");
        require(state == State.AwaitingPayment, "Escrow: already paid");
        require(msg.value > 0, "Escrow: nothing sent");
        amount = msg.value;
        state = State.AwaitingDelivery;
        emit Deposited(msg.sender, msg.value);
    }

    function release() external {
        require(msg.sender == buyer || msg.sender == arbiter, "Escrow: only the buyer or the arbiter releases");
        require(state == State.AwaitingDelivery, "Escrow: nothing to release");
        state = State.Released;
        emit Released(seller, amount);
        _pay(seller, amount);
    }

    function refund() external {
        require(msg.sender == seller || msg.sender == arbiter, "Escrow: only the seller or the arbiter refunds");
        require(state == State.AwaitingDelivery, "Escrow: nothing to refund");
        state = State.Refunded;
        emit Refunded(buyer, amount);
        _pay(buyer, amount);
    }

    function _pay(address to, uint256 value) private {
        (bool ok, ) = to.call{value: value}("");
        require(ok, "Escrow: payment failed");
    }
}

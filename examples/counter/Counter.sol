// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A counter anyone can bump; only its deployer can reset it. Also shows the three ways a
/// call can fail (revert with a reason, out of gas, invalid opcode): each is a normal
/// outcome on chainlab — the tx is mined, its fee is charged, its state changes are undone.
contract Counter {
    uint256 public count;
    address public immutable owner;

    event Incremented(address indexed by, uint256 count);
    event Reset(address indexed by, uint256 previous);

    error NotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    function increment() external {
        count += 1;
        emit Incremented(msg.sender, count);
    }

    /// Reverts with a panic (arithmetic overflow) when count + n exceeds 2^256 - 1.
    function add(uint256 n) external {
        count += n;
        emit Incremented(msg.sender, count);
    }

    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        emit Reset(msg.sender, count);
        count = 0;
    }

    /// Always reverts with a reason string.
    function fail() external pure {
        revert("Counter: this call always fails");
    }

    /// Writes storage forever: runs out of gas, whatever the gas limit.
    function spin() external {
        for (uint256 i = count; ; i++) count = i;
    }

    /// Executes the INVALID opcode (0xfe).
    function invalid() external pure {
        assembly {
            invalid()
        }
    }
}

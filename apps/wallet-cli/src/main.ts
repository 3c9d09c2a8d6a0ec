// Placeholder until its issue lands: see `issues`.
console.error('chainlab wallet-cli: not yet implemented');
process.exit(1);

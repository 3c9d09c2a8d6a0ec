// Placeholder until its issue lands: see `issues`.
console.error('chainlab mempool: not yet implemented');
process.exit(1);

// Placeholder until its issue lands: see `issues`.
console.error('chainlab node: not yet implemented');
process.exit(1);

// Placeholder until its issue lands: see `issues`.
console.error('chainlab tracker: not yet implemented');
process.exit(1);

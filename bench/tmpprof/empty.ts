const t1 = performance.now()
console.error(JSON.stringify({ sinceStart: +t1.toFixed(2) }))

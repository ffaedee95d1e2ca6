import neostandard from 'neostandard'

export default neostandard({
  ts: true,
  ignores: ['node_modules/**', '.sst/**', '.tap/**', '.data/**', 'bench/out/**', 'coverage/**', 'dist/**']
})

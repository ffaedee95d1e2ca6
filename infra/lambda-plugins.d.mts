import type { Plugin } from 'esbuild'

export const STAND_INS: Record<string, string>
export const lambdaStandIns: Plugin
declare const plugins: Plugin[]
export default plugins

/**
 * Where a running local runtime (`npm start`) tells `npm run chat` how to reach its Telegram
 * emulator. A module of its own so that the chat CLI does not load the runtime to learn the path.
 */
export const RUNTIME_FILE = '.data/runtime.json'

export interface RuntimeFileContents {
  emulatorUrl: string
  botUsername: string
  webhookUrl: string
}

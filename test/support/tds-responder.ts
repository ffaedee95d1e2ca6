import { once } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'

/**
 * A minimal TDS 7.4 server (MS-TDS), just enough for tedious to log in, call a procedure and run
 * `SELECT 1`, with scripted answers. No TLS: it answers PRELOGIN with ENCRYPT_NOT_SUP, so clients
 * must connect with `Encrypt=false`. Section numbers below are those of the MS-TDS specification.
 */

/** An error as SQL Server reports it; `class` is its severity (11–16: the caller's error, 17 and up: the server's). */
export interface SqlServerError { number: number, class: number, message: string }

/**
 * How the responder answers the requests that follow (procedure calls, and `SELECT 1`):
 * `returnStatus` RETURNSTATUS for a call, the one-row result for `SELECT 1`; `raise` these errors
 * (in order); 'no answer' ignores the request (an ATTENTION is still acknowledged); 'hang up' drops the connection.
 */
export type Reply = { returnStatus: number } | { raise: SqlServerError[] } | 'no answer' | 'hang up'

export interface RpcParameter {
  name: string
  /** The TDS type: INTN (a BIGINT is INTN of length 8) or NVARCHAR (NVARCHARTYPE, 0xE7). */
  type: 'INTN' | 'NVARCHAR'
  /** INTN: bytes; NVARCHAR: the declared maximum, in characters. */
  length: number
  value: bigint | string | null
}

export interface RpcCall { procedure: string, parameters: RpcParameter[] }

export interface Login { user: string, password: string, database: string }

// Packet types (2.2.3.1.1) and the token types (2.2.7) used here.
const PACKET = { SQL_BATCH: 0x01, RPC: 0x03, TABULAR_RESULT: 0x04, ATTENTION: 0x06, LOGIN7: 0x10, PRELOGIN: 0x12 } as const
const TOKEN = { COLMETADATA: 0x81, ERROR: 0xAA, LOGINACK: 0xAD, RETURNSTATUS: 0x79, ROW: 0xD1, DONE: 0xFD, DONEPROC: 0xFE } as const
const DONE_STATUS = { FINAL: 0x00, ERROR: 0x02, COUNT: 0x10, ATTN: 0x20 } as const
const TDS_7_4 = 0x74000004
const HEADER_LENGTH = 8
const STATUS_END_OF_MESSAGE = 0x01

/** B_VARCHAR: a length in characters (one byte), then UCS-2. */
function bVarchar (text: string): Buffer {
  return Buffer.concat([Buffer.from([text.length]), Buffer.from(text, 'ucs2')])
}

/** US_VARCHAR: a length in characters (two bytes), then UCS-2. */
function usVarchar (text: string): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16LE(text.length)
  return Buffer.concat([length, Buffer.from(text, 'ucs2')])
}

/** A token whose body starts with its own length (USHORT), as ERROR and LOGINACK do. */
function withLength (tokenType: number, body: Buffer): Buffer {
  const header = Buffer.alloc(3)
  header.writeUInt8(tokenType)
  header.writeUInt16LE(body.length, 1)
  return Buffer.concat([header, body])
}

/** DONE / DONEPROC (2.2.7.6, 2.2.7.8): Status USHORT, CurCmd USHORT, DoneRowCount ULONGLONG. */
function done (tokenType: number, status: number, rowCount = 0): Buffer {
  const token = Buffer.alloc(13)
  token.writeUInt8(tokenType)
  token.writeUInt16LE(status, 1)
  token.writeBigUInt64LE(BigInt(rowCount), 5)
  return token
}

/** LOGINACK (2.2.7.14): Interface (1 = T-SQL), TDSVersion, ProgName B_VARCHAR, ProgVersion (4 bytes). */
function loginAck (): Buffer {
  const version = Buffer.alloc(5)
  version.writeUInt8(1)
  version.writeUInt32BE(TDS_7_4, 1)
  return withLength(TOKEN.LOGINACK, Buffer.concat([version, bVarchar('tds-responder'), Buffer.from([16, 0, 0, 0])]))
}

/** ERROR (2.2.7.10): Number LONG, State BYTE, Class BYTE, MsgText US_VARCHAR, ServerName and ProcName B_VARCHAR, LineNumber LONG. */
function errorToken (error: SqlServerError): Buffer {
  const numbers = Buffer.alloc(6)
  numbers.writeInt32LE(error.number)
  numbers.writeUInt8(1, 4)
  numbers.writeUInt8(error.class, 5)
  const lineNumber = Buffer.alloc(4)
  lineNumber.writeInt32LE(1)
  return withLength(TOKEN.ERROR, Buffer.concat([numbers, usVarchar(error.message), bVarchar('tds-responder'), bVarchar(''), lineNumber]))
}

/** RETURNSTATUS (2.2.7.18): Value LONG. */
function returnStatus (value: number): Buffer {
  const token = Buffer.alloc(5)
  token.writeUInt8(TOKEN.RETURNSTATUS)
  token.writeInt32LE(value, 1)
  return token
}

/**
 * The result of `SELECT 1`: COLMETADATA (2.2.7.4) with one unnamed INT column (UserType ULONG, Flags USHORT,
 * TYPE_INFO INTN of 4 bytes, ColName B_VARCHAR), one ROW (2.2.7.19), and DONE with the row counted.
 */
function selectOneResult (): Buffer {
  const metadata = Buffer.from([TOKEN.COLMETADATA, 1, 0, 0, 0, 0, 0, 0x01, 0x00, 0x26, 4])
  const row = Buffer.from([TOKEN.ROW, 4, 1, 0, 0, 0])
  return Buffer.concat([metadata, bVarchar(''), row, done(TOKEN.DONE, DONE_STATUS.COUNT, 1)])
}

/**
 * PRELOGIN answer (2.2.6.5, sent as a tabular result): option headers (token, offset and length as
 * big-endian USHORTs) for VERSION and ENCRYPTION, the terminator 0xFF, then the options' data.
 */
function preloginAnswer (): Buffer {
  const headers = Buffer.from([0x00, 0, 11, 0, 6, 0x01, 0, 17, 0, 1, 0xFF])
  const version = Buffer.from([16, 0, 0, 0, 0, 0])
  const encryptNotSupported = Buffer.from([0x02])
  return Buffer.concat([headers, version, encryptNotSupported])
}

/** LOGIN7 (2.2.6.4): OffsetLength entries, in characters, at fixed places; the password is obfuscated by the client. */
function parseLogin (message: Buffer): Login {
  const text = (at: number): Buffer => message.subarray(message.readUInt16LE(at), message.readUInt16LE(at) + 2 * message.readUInt16LE(at + 2))
  // The client swapped the nibbles of every byte and XORed it with 0xA5 (2.2.6.4, Password).
  const password = Buffer.from(text(44).map((byte) => ((byte ^ 0xA5) >> 4) | (((byte ^ 0xA5) & 0x0F) << 4)))
  return { user: text(40).toString('ucs2'), password: password.toString('ucs2'), database: text(68).toString('ucs2') }
}

/** Skips ALL_HEADERS (2.2.5.3), which starts with its own total length (DWORD). */
function afterHeaders (message: Buffer): number {
  return message.readUInt32LE(0)
}

/** RPC request (2.2.6.6): ProcName US_VARCHAR, OptionFlags, then per parameter: name B_VARCHAR, StatusFlags, TYPE_INFO, value. */
function parseRpc (message: Buffer): RpcCall {
  let at = afterHeaders(message)
  const nameLength = message.readUInt16LE(at)
  if (nameLength === 0xFFFF) throw new Error('tds-responder: calls by procedure id (sp_executesql…) are not implemented')
  const procedure = message.toString('ucs2', at + 2, at + 2 + 2 * nameLength)
  at += 2 + 2 * nameLength + 2
  const parameters: RpcParameter[] = []
  while (at < message.length) {
    const name = message.toString('ucs2', at + 1, at + 1 + 2 * message[at]!)
    at += 1 + 2 * message[at]! + 1
    const type = message[at]
    if (type === 0x26 && message[at + 1] === 8) { // INTN of 8 bytes (BIGINT): the value is a BYTE length (0: NULL), then the bytes
      const valueLength = message[at + 2]!
      parameters.push({ name, type: 'INTN', length: 8, value: valueLength === 0 ? null : message.readBigInt64LE(at + 3) })
      at += 3 + valueLength
    } else if (type === 0xE7) { // NVARCHARTYPE: maximum bytes (USHORT), COLLATION (5 bytes); the value is a USHORT length (0xFFFF: NULL)
      const length = message.readUInt16LE(at + 1) / 2
      const valueLength = message.readUInt16LE(at + 8)
      const value = valueLength === 0xFFFF ? null : message.toString('ucs2', at + 10, at + 10 + valueLength)
      parameters.push({ name, type: 'NVARCHAR', length, value })
      at += 10 + (value === null ? 0 : valueLength)
    } else {
      throw new Error(`tds-responder: parameter ${name} has a TDS type (0x${type?.toString(16)}) it does not read`)
    }
  }
  return { procedure, parameters }
}

export class TdsResponder {
  /** The password of `connectionString()`: the responder accepts any. */
  static readonly password = 'test-password'
  reply: Reply = { returnStatus: 0 }
  /** Never answer anything from now on, not even PRELOGIN or an ATTENTION, on any connection. */
  silent = false
  /** Answer LOGIN7 with this error instead of LOGINACK. */
  loginError: SqlServerError | undefined
  readonly calls: RpcCall[] = []
  readonly logins: Login[] = []
  /** The text of every SQL batch, including the session set-up tedious sends after login. */
  readonly batches: string[] = []
  /** ATTENTION messages (the client cancelling a request) received. */
  attentions = 0
  /** Connections accepted so far. */
  connectionCount = 0
  private readonly sockets = new Set<Socket>()
  private server: Server

  private constructor (readonly port: number, server: Server) {
    this.server = server
  }

  /** Listens on a free port of 127.0.0.1. */
  static async start (): Promise<TdsResponder> {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const responder = new TdsResponder((server.address() as AddressInfo).port, server)
    responder.serve(server)
    return responder
  }

  /** A connection string for this responder, with extra `keyword=value;` pairs appended. */
  connectionString (extra = ''): string {
    return `Server=127.0.0.1,${this.port};Database=registrations;User Id=bot;Password=${TdsResponder.password};Encrypt=false;TrustServerCertificate=true;${extra}`
  }

  get openConnections (): number {
    return this.sockets.size
  }

  /** Drops every open connection, as a server restart or a network blip does; new connections are accepted. */
  async dropConnections (): Promise<void> {
    const closed = [...this.sockets].map(async (socket) => { await once(socket, 'close') })
    for (const socket of this.sockets) socket.destroy()
    await Promise.all(closed)
  }

  /** Goes away as a crashed server does: stops listening (connections are refused) and drops every connection. */
  async stop (): Promise<void> {
    const closed = once(this.server, 'close')
    this.server.close()
    for (const socket of this.sockets) socket.destroy()
    await closed
  }

  /** Comes back on the same port. */
  async restart (): Promise<void> {
    this.server = createServer()
    this.server.listen(this.port, '127.0.0.1')
    await once(this.server, 'listening')
    this.serve(this.server)
  }

  async close (): Promise<void> {
    if (this.server.listening) await this.stop()
  }

  private serve (server: Server): void {
    server.on('connection', (socket) => {
      this.connectionCount++
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.on('error', () => {}) // a client that goes away is part of the scripts
      this.readMessages(socket)
    })
  }

  /** Reassembles packets (2.2.3: an 8-byte header whose Length counts the header too) into messages. */
  private readMessages (socket: Socket): void {
    let received = Buffer.alloc(0)
    let message: Buffer[] = []
    socket.on('data', (data) => {
      received = Buffer.concat([received, data])
      while (received.length >= HEADER_LENGTH && received.length >= received.readUInt16BE(2)) {
        const length = received.readUInt16BE(2)
        const [type, status] = [received[0]!, received[1]!]
        message.push(received.subarray(HEADER_LENGTH, length))
        received = received.subarray(length)
        if ((status & STATUS_END_OF_MESSAGE) !== 0) {
          if (!this.silent) this.answer(socket, type, Buffer.concat(message))
          message = []
        }
      }
    })
  }

  private answer (socket: Socket, type: number, message: Buffer): void {
    switch (type) {
      case PACKET.PRELOGIN:
        return send(socket, PACKET.TABULAR_RESULT, preloginAnswer())
      case PACKET.LOGIN7:
        this.logins.push(parseLogin(message))
        if (this.loginError !== undefined) return send(socket, PACKET.TABULAR_RESULT, Buffer.concat([errorToken(this.loginError), done(TOKEN.DONE, DONE_STATUS.ERROR)]))
        return send(socket, PACKET.TABULAR_RESULT, Buffer.concat([loginAck(), done(TOKEN.DONE, DONE_STATUS.FINAL)]))
      case PACKET.ATTENTION:
        // Only a request left unanswered ('no answer') is cancelled here. Its response ends first; the
        // acknowledgement, DONE with DONE_ATTN (3.2.5.7), follows in a message of its own, where tedious reads it.
        this.attentions++
        send(socket, PACKET.TABULAR_RESULT, done(TOKEN.DONE, DONE_STATUS.FINAL))
        return send(socket, PACKET.TABULAR_RESULT, done(TOKEN.DONE, DONE_STATUS.ATTN))
      case PACKET.RPC:
        this.calls.push(parseRpc(message))
        return this.answerRequest(socket, TOKEN.DONEPROC, (status) => Buffer.concat([returnStatus(status), done(TOKEN.DONEPROC, DONE_STATUS.FINAL)]))
      case PACKET.SQL_BATCH: {
        const text = message.toString('ucs2', afterHeaders(message))
        this.batches.push(text)
        if (/^\s*select 1;?\s*$/i.test(text)) return this.answerRequest(socket, TOKEN.DONE, selectOneResult)
        return send(socket, PACKET.TABULAR_RESULT, done(TOKEN.DONE, DONE_STATUS.FINAL))
      }
      default:
        throw new Error(`tds-responder: packet type 0x${type.toString(16)} is not implemented`)
    }
  }

  /**
   * Answers a procedure call or `SELECT 1` as scripted: `success` builds the tokens of a successful answer,
   * and raised errors end with `doneToken` flagged as an error.
   */
  private answerRequest (socket: Socket, doneToken: number, success: (returnStatus: number) => Buffer): void {
    const reply = this.reply
    if (reply === 'no answer') return
    if (reply === 'hang up') {
      socket.destroy()
      return
    }
    if ('raise' in reply) {
      return send(socket, PACKET.TABULAR_RESULT, Buffer.concat([...reply.raise.map(errorToken), done(doneToken, DONE_STATUS.ERROR)]))
    }
    send(socket, PACKET.TABULAR_RESULT, success(reply.returnStatus))
  }
}

/** One packet with the end-of-message status: every answer here is far below the 4096-byte packet size. */
function send (socket: Socket, type: number, payload: Buffer): void {
  const header = Buffer.alloc(HEADER_LENGTH)
  header.writeUInt8(type)
  header.writeUInt8(STATUS_END_OF_MESSAGE, 1)
  header.writeUInt16BE(HEADER_LENGTH + payload.length, 2)
  header.writeUInt8(1, 6) // PacketID
  socket.write(Buffer.concat([header, payload]))
}

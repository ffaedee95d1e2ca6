import { once } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { ColumnDeclaration } from '../../src/db/contract.js'
import { catalogAnswer, type Catalog } from './tds-catalog.js'
import { encodeValue, readTypedValue, tdsTypeOf, typeInfo, type Answer, type ResultSet, type RpcCall, type RpcParameter, type TdsValue } from './tds-types.js'

export type { Answer, ResultSet, RpcCall, RpcParameter, TdsType, TdsValue } from './tds-types.js'
export type { Catalog, CatalogEntry } from './tds-catalog.js'

/**
 * A minimal TDS 7.4 server (MS-TDS), just enough for tedious to log in, call a procedure or run a query
 * through sp_executesql, and run `SELECT 1`, with scripted answers: result sets, OUTPUT parameters, a return
 * status, errors. The types it reads and writes are in ./tds-types.ts. No TLS: it answers PRELOGIN with ENCRYPT_NOT_SUP, so clients
 * must connect with `Encrypt=false`. Section numbers below are those of the MS-TDS specification.
 */

/** An error as SQL Server reports it; `class` is its severity (11–16: the caller's error, 17 and up: the server's). */
export interface SqlServerError { number: number, class: number, message: string }

/**
 * How the responder answers the requests that follow (calls, and `SELECT 1`): an Answer for a call (`SELECT 1`
 * gets its one-row result); `raise` these errors (in order); 'no answer' ignores the request (an ATTENTION is
 * still acknowledged); 'hang up' drops the connection.
 */
export type Reply = Answer | { raise: SqlServerError[] } | 'no answer' | 'hang up'

export interface Login { user: string, password: string, database: string }

// Packet types (2.2.3.1.1) and the token types (2.2.7) used here.
const PACKET = { SQL_BATCH: 0x01, RPC: 0x03, TABULAR_RESULT: 0x04, ATTENTION: 0x06, LOGIN7: 0x10, PRELOGIN: 0x12 } as const
const TOKEN = { COLMETADATA: 0x81, ERROR: 0xAA, LOGINACK: 0xAD, RETURNSTATUS: 0x79, RETURNVALUE: 0xAC, ROW: 0xD1, DONE: 0xFD, DONEPROC: 0xFE, DONEINPROC: 0xFF } as const
const DONE_STATUS = { FINAL: 0x00, MORE: 0x01, ERROR: 0x02, COUNT: 0x10, ATTN: 0x20 } as const
const TDS_7_4 = 0x74000004
const HEADER_LENGTH = 8
const STATUS_END_OF_MESSAGE = 0x01
/** The packet size tedious asks for in LOGIN7; longer answers are split into packets of this size (2.2.3.1.3). */
const PACKET_SIZE = 4096
/** ProcIDSwitch 0xFFFF then a ProcID: the well-known procedures (2.2.6.6), of which tedious's execSql uses 10. */
const PROCEDURE_BY_ID = 0xFFFF
const SP_EXECUTESQL = 10
/** RPC StatusFlags (2.2.6.6): fByRefValue, an OUTPUT parameter. */
const BY_REF_VALUE = 0x01
/** COLMETADATA Flags (2.2.7.4): fNullable. */
const NULLABLE = 0x0001

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

/** UserType ULONG (0: none) and Flags USHORT, as a column or returned parameter starts (2.2.7.4, 2.2.7.18). */
function userTypeAndFlags (flags: number): Buffer {
  const buffer = Buffer.alloc(6)
  buffer.writeUInt16LE(flags, 4)
  return buffer
}

/** COLMETADATA (2.2.7.4): Count USHORT, then per column UserType, Flags, TYPE_INFO and ColName B_VARCHAR. */
function colMetadata (columns: readonly ColumnDeclaration[]): Buffer {
  const count = Buffer.alloc(3)
  count.writeUInt8(TOKEN.COLMETADATA)
  count.writeUInt16LE(columns.length, 1)
  return Buffer.concat([count, ...columns.map((column) =>
    Buffer.concat([userTypeAndFlags(column.nullable ? NULLABLE : 0), typeInfo(tdsTypeOf(column.type)), bVarchar(column.name)]))])
}

/** ROW (2.2.7.19): every column's value, in the order of COLMETADATA. */
function row (columns: readonly ColumnDeclaration[], values: Readonly<Record<string, TdsValue>>): Buffer {
  return Buffer.concat([Buffer.from([TOKEN.ROW]), ...columns.map((column) => {
    if (!(column.name in values)) throw new Error(`tds-responder: a scripted row has no value for ${column.name}`)
    return encodeValue(tdsTypeOf(column.type), values[column.name]!)
  })])
}

/** A result set: COLMETADATA, its ROWs, and `doneToken` (DONEINPROC inside a call, 2.2.7.7) counting them, more to follow. */
function resultSet (set: ResultSet, doneToken: number): Buffer {
  return Buffer.concat([colMetadata(set.columns), ...set.rows.map((values) => row(set.columns, values)),
    done(doneToken, DONE_STATUS.MORE | DONE_STATUS.COUNT, set.rows.length)])
}

/**
 * RETURNVALUE (2.2.7.18): ParamOrdinal USHORT, ParamName B_VARCHAR, Status BYTE (0x01: an OUTPUT parameter),
 * UserType, Flags, TYPE_INFO, then the value.
 */
function returnValue (ordinal: number, parameter: RpcParameter, value: TdsValue): Buffer {
  const header = Buffer.alloc(3)
  header.writeUInt8(TOKEN.RETURNVALUE)
  header.writeUInt16LE(ordinal, 1)
  return Buffer.concat([header, bVarchar(parameter.name), Buffer.from([0x01]), userTypeAndFlags(NULLABLE), typeInfo(parameter), encodeValue(parameter, value)])
}

/** A call's successful answer: result sets, RETURNSTATUS, a RETURNVALUE per OUTPUT parameter, DONEPROC. */
function callAnswer (call: RpcCall, answer: Answer): Buffer {
  const output = answer.output ?? {}
  const returnValues = call.parameters.flatMap((parameter, ordinal) => {
    if (parameter.output !== true) return []
    // A key in another case than the call's name is sent spelled as the key: as a server reports the name
    // as the procedure declares it.
    const key = Object.keys(output).find((candidate) => candidate.toLowerCase() === parameter.name.slice(1).toLowerCase())
    return [returnValue(ordinal, key === undefined ? parameter : { ...parameter, name: `@${key}` }, key === undefined ? parameter.value : output[key]!)]
  })
  return Buffer.concat([...(answer.resultSets ?? []).map((set) => resultSet(set, TOKEN.DONEINPROC)),
    returnStatus(answer.returnStatus ?? 0), ...returnValues, done(TOKEN.DONEPROC, DONE_STATUS.FINAL)])
}

/** The result of `SELECT 1`: one unnamed INT column, one ROW, and DONE with the row counted. */
function selectOneResult (): Buffer {
  const columns: ColumnDeclaration[] = [{ name: '', type: { name: 'int' }, nullable: true }]
  return Buffer.concat([colMetadata(columns), row(columns, { '': 1 }), done(TOKEN.DONE, DONE_STATUS.COUNT, 1)])
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

/**
 * RPC request (2.2.6.6): ProcName US_VARCHAR, or ProcIDSwitch and ProcID; OptionFlags; then per parameter:
 * name B_VARCHAR, StatusFlags, TYPE_INFO and value. sp_executesql's first two parameters are its statement
 * and the declaration of the others (@params).
 */
function parseRpc (message: Buffer): RpcCall {
  let at = afterHeaders(message)
  const nameLength = message.readUInt16LE(at)
  let procedure: string
  if (nameLength === PROCEDURE_BY_ID) {
    const id = message.readUInt16LE(at + 2)
    if (id !== SP_EXECUTESQL) throw new Error(`tds-responder: calls of procedure id ${id} are not implemented`)
    procedure = 'sp_executesql'
    at += 4 + 2
  } else {
    procedure = message.toString('ucs2', at + 2, at + 2 + 2 * nameLength)
    at += 2 + 2 * nameLength + 2
  }
  const parameters: RpcParameter[] = []
  while (at < message.length) {
    const name = message.toString('ucs2', at + 1, at + 1 + 2 * message[at]!)
    at += 1 + 2 * message[at]!
    const output = (message[at]! & BY_REF_VALUE) !== 0
    const { type, value, next } = readTypedValue(message, at + 1)
    parameters.push({ name, ...type, value, ...(output ? { output: true as const } : {}) })
    at = next
  }
  if (procedure !== 'sp_executesql') return { procedure, parameters }
  const [statement, ...rest] = parameters
  return { procedure, statement: statement?.value as string, parameters: rest.slice(rest[0]?.name === '@params' ? 1 : 0) }
}

export class TdsResponder {
  /** The password of `connectionString()`: the responder accepts any. */
  static readonly password = 'test-password'
  reply: Reply = { returnStatus: 0 }
  /** The objects db:verify's catalog queries (src/db/catalog.ts) find: see ./tds-catalog.ts. */
  catalog: Catalog = {}
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

  /** Resolves once every connection open now has closed on the responder's side (the client closed it, or the responder). */
  async connectionsClosed (): Promise<void> {
    await Promise.all([...this.sockets].map(async (socket) => { await once(socket, 'close') }))
  }

  /** Drops every open connection, as a server restart or a network blip does; new connections are accepted. */
  async dropConnections (): Promise<void> {
    const closed = this.connectionsClosed()
    for (const socket of this.sockets) socket.destroy()
    await closed
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
      case PACKET.RPC: {
        const call = parseRpc(message)
        this.calls.push(call)
        // db:verify's catalog queries are answered from `catalog` unless the reply scripts a failure.
        return this.answerRequest(socket, TOKEN.DONEPROC, (answer) => callAnswer(call, catalogAnswer(this.catalog, call) ?? answer))
      }
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
   * Answers a call or `SELECT 1` as scripted: `success` builds the tokens of a successful answer,
   * and raised errors end with `doneToken` flagged as an error.
   */
  private answerRequest (socket: Socket, doneToken: number, success: (answer: Answer) => Buffer): void {
    const reply = this.reply
    if (reply === 'no answer') return
    if (reply === 'hang up') {
      socket.destroy()
      return
    }
    if ('raise' in reply) {
      return send(socket, PACKET.TABULAR_RESULT, Buffer.concat([...reply.raise.map(errorToken), done(doneToken, DONE_STATUS.ERROR)]))
    }
    send(socket, PACKET.TABULAR_RESULT, success(reply))
  }
}

/** A message in packets of at most PACKET_SIZE bytes, the last with the end-of-message status (2.2.3.1). */
function send (socket: Socket, type: number, payload: Buffer): void {
  const room = PACKET_SIZE - HEADER_LENGTH
  for (let start = 0, packetId = 1; start === 0 || start < payload.length; start += room, packetId++) {
    const part = payload.subarray(start, start + room)
    const header = Buffer.alloc(HEADER_LENGTH)
    header.writeUInt8(type)
    header.writeUInt8(start + room >= payload.length ? STATUS_END_OF_MESSAGE : 0, 1)
    header.writeUInt16BE(HEADER_LENGTH + part.length, 2)
    header.writeUInt8(packetId % 256, 6)
    socket.write(Buffer.concat([header, part]))
  }
}

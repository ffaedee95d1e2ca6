/**
 * A database contract: one object of the platform's SQL Server (a stored procedure or a SQL function)
 * as a command relies on it, declared as data next to the command. The same declaration drives the call
 * (src/db/database.ts and its adapters), the embedded stand-in (the command's local implementation) and
 * `npm run db:verify`, which compares it with the real object's catalog entry. When the real object
 * differs, its declaration is the one place to change.
 */

/** The SQL Server types a contract may declare, with their size, as `sys.types` and `sys.parameters` report them. */
export type SqlType =
  | { name: 'bit' }
  | { name: 'int' }
  | { name: 'bigint' }
  | { name: 'decimal', precision: number, scale: number }
  | { name: 'nvarchar', length: number | 'max' }
  | { name: 'varchar', length: number | 'max' }
  | { name: 'datetime2', scale: number }

/** Constructors for the declarations: `sql.nvarchar(128)`, `sql.decimal(18, 2)`. */
export const sql = {
  bit: (): SqlType => ({ name: 'bit' }),
  int: (): SqlType => ({ name: 'int' }),
  bigint: (): SqlType => ({ name: 'bigint' }),
  decimal: (precision: number, scale: number): SqlType => ({ name: 'decimal', precision, scale }),
  nvarchar: (length: number | 'max'): SqlType => ({ name: 'nvarchar', length }),
  varchar: (length: number | 'max'): SqlType => ({ name: 'varchar', length }),
  datetime2: (scale = 7): SqlType => ({ name: 'datetime2', scale })
} as const

/** `nvarchar(128)`, `decimal(18,2)`: how T-SQL writes a type, for messages and db:verify's report. */
export function sqlTypeText (type: SqlType): string {
  switch (type.name) {
    case 'decimal': return `decimal(${type.precision},${type.scale})`
    case 'nvarchar': case 'varchar': return `${type.name}(${type.length})`
    case 'datetime2': return `datetime2(${type.scale})`
    default: return type.name
  }
}

/**
 * A value as it crosses the port, both ways. What reaches a command from a column or OUTPUT parameter:
 * bit → boolean, int → number, bigint → string of digits (exact beyond 2^53), decimal → string with
 * exactly the column's scale (`"12.50"`, never a binary float), nvarchar/varchar → string,
 * datetime2 → Date (millisecond precision), NULL → null.
 */
export type SqlValue = string | number | boolean | Date | null

export interface ParameterDeclaration<Input> {
  /** Without the `@`: `TelegramUserId`. */
  name: string
  type: SqlType
  /** Where its value comes from: the command's input. */
  from: (input: Input) => SqlValue
  /** An OUTPUT parameter (procedures only): its value comes back in the answer's `output`. */
  output?: boolean
}

/** A column of the rows the command reads: a procedure's first result set, or a table-valued function's table. */
export interface ColumnDeclaration {
  name: string
  type: SqlType
  nullable: boolean
}

export type Row = Readonly<Record<string, SqlValue>>

/** What the object answered, as the contract's `outcome` sees it. */
export interface DatabaseAnswer {
  /** A procedure's return value (RETURN n). */
  returnValue?: number
  /** A procedure's OUTPUT parameters, by declared name. */
  output: Readonly<Record<string, SqlValue>>
  /** A procedure's first result set, or a table-valued function's rows, with the declared columns. */
  rows: readonly Row[]
  /** A scalar function's value. */
  value?: SqlValue
  /**
   * The number of an error the object raised on purpose (RAISERROR/THROW, numbered 50000 or more) instead of
   * answering: an answer about the request, never retried. Any other error is not an answer: the port throws.
   */
  raisedError?: number
}

interface ContractCommon<Input, Outcome> {
  /** Schema-qualified, as the catalog names it: `dbo.PartyTelegramUser_REGISTER_tr`. */
  name: string
  parameters: ReadonlyArray<ParameterDeclaration<Input>>
  /**
   * `writes`: the call changes the platform, so it runs through the update ledger's procedure step (its
   * outcome is remembered and never computed twice for one update; it must then be a string, number or
   * boolean). `reads`: no ledger step; the command's reply still goes out once.
   */
  effect: 'writes' | 'reads'
  /** The command's outcome from the object's answer. */
  outcome: (answer: DatabaseAnswer) => Outcome
}

export type DatabaseContract<Input = never, Outcome = unknown> =
  | ContractCommon<Input, Outcome> & { kind: 'procedure', resultColumns?: readonly ColumnDeclaration[] }
  | ContractCommon<Input, Outcome> & { kind: 'scalar-function', returns: SqlType }
  | ContractCommon<Input, Outcome> & { kind: 'table-function', resultColumns: readonly ColumnDeclaration[] }

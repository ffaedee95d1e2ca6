import mssql, { type ISqlType } from 'mssql'
import type { SqlType } from './contract.js'

/** The driver's type for a declared one: the type and size sent on the wire (RPC TYPE_INFO). */
export function driverTypeOf (type: SqlType): ISqlType {
  switch (type.name) {
    case 'bit': return mssql.Bit()
    case 'int': return mssql.Int()
    case 'bigint': return mssql.BigInt()
    case 'decimal': return mssql.Decimal(type.precision, type.scale)
    case 'nvarchar': return mssql.NVarChar(type.length === 'max' ? mssql.MAX : type.length)
    case 'varchar': return mssql.VarChar(type.length === 'max' ? mssql.MAX : type.length)
    case 'datetime2': return mssql.DateTime2(type.scale)
  }
}

/**
 * The statements db:verify sends (exported for the SQL Server stand-in of the tests, which recognises them).
 * sys.types is joined on the system type, so that an alias type (sysname, or a user-defined alias) is
 * reported as the type it travels as.
 */
export const CATALOG_QUERIES = {
  object: `SELECT CAST(RTRIM(o.type) AS nvarchar(2)) AS type,
  CAST(HAS_PERMS_BY_NAME(@name, 'OBJECT', CASE WHEN o.type IN ('IF', 'TF', 'FT') THEN 'SELECT' ELSE 'EXECUTE' END) AS bit) AS permitted
FROM sys.objects AS o
WHERE o.object_id = OBJECT_ID(@name)`,
  parameters: `SELECT p.name AS name, COALESCE(t.name, TYPE_NAME(p.user_type_id)) AS type, CAST(p.max_length AS int) AS maxLength,
  CAST(p.precision AS int) AS precision, CAST(p.scale AS int) AS scale, p.is_output AS isOutput, CAST(p.parameter_id AS int) AS position
FROM sys.parameters AS p
LEFT JOIN sys.types AS t ON t.user_type_id = p.system_type_id
WHERE p.object_id = OBJECT_ID(@name)
ORDER BY p.parameter_id`,
  procedureColumns: `SELECT r.name AS name, t.name AS type, CAST(r.max_length AS int) AS maxLength, CAST(r.precision AS int) AS precision,
  CAST(r.scale AS int) AS scale, r.is_nullable AS nullable, r.error_type_desc AS unknownBecause
FROM sys.dm_exec_describe_first_result_set_for_object(OBJECT_ID(@name), 0) AS r
LEFT JOIN sys.types AS t ON t.user_type_id = r.system_type_id
WHERE ISNULL(r.is_hidden, 0) = 0
ORDER BY r.column_ordinal`,
  functionColumns: `SELECT c.name AS name, t.name AS type, CAST(c.max_length AS int) AS maxLength, CAST(c.precision AS int) AS precision,
  CAST(c.scale AS int) AS scale, c.is_nullable AS nullable
FROM sys.columns AS c
LEFT JOIN sys.types AS t ON t.user_type_id = c.system_type_id
WHERE c.object_id = OBJECT_ID(@name)
ORDER BY c.column_id`
} as const

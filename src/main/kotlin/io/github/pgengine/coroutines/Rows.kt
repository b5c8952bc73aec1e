@file:JvmName("CoroutineRows")

package io.github.pgengine.coroutines

import io.github.pgengine.Row
import java.math.BigDecimal
import java.time.Instant
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.LocalTime
import java.time.OffsetDateTime
import java.util.UUID

/**
 * Reads a column as [T], converting between compatible types as [Row.get] does (an `integer` as
 * [Long], a `timestamptz` as [Instant], ...). SQL NULL fails with an [IllegalStateException] that
 * names the column; read nullable columns with [getOrNull].
 */
@Suppress(
    "EXTENSION_SHADOWED_BY_MEMBER"
) // Map.get takes no type argument: row.get<T>(...) is this one
public inline fun <reified T : Any> Row.get(column: String): T =
    get(column, T::class.javaObjectType) ?: throw nullColumn(column, T::class.java.simpleName)

/** Reads a column as [T], or null for SQL NULL. */
public inline fun <reified T : Any> Row.getOrNull(column: String): T? =
    get(column, T::class.javaObjectType)

/** @suppress the error for a NULL in a non-null read */
@PublishedApi
internal fun nullColumn(column: String, type: String): IllegalStateException =
    IllegalStateException(
        "column '$column' is NULL, so it cannot be read as a non-null $type; use getOrNull"
    )

/** The column as text; fails on NULL. */
public fun Row.string(column: String): String = get<String>(column)

/** The column as an Int; fails on NULL. */
public fun Row.int(column: String): Int = get<Int>(column)

/** The column as a Long; fails on NULL. */
public fun Row.long(column: String): Long = get<Long>(column)

/** The column as a Double; fails on NULL. */
public fun Row.double(column: String): Double = get<Double>(column)

/** The column as a Boolean; fails on NULL. */
public fun Row.boolean(column: String): Boolean = get<Boolean>(column)

/** The column as a BigDecimal; fails on NULL. */
public fun Row.bigDecimal(column: String): BigDecimal = get<BigDecimal>(column)

/** The column as a UUID; fails on NULL. */
public fun Row.uuid(column: String): UUID = get<UUID>(column)

/** The column as an Instant; fails on NULL. */
public fun Row.instant(column: String): Instant = get<Instant>(column)

/** The column as an OffsetDateTime; fails on NULL. */
public fun Row.offsetDateTime(column: String): OffsetDateTime = get<OffsetDateTime>(column)

/** The column as a LocalDate; fails on NULL. */
public fun Row.localDate(column: String): LocalDate = get<LocalDate>(column)

/** The column as a LocalDateTime; fails on NULL. */
public fun Row.localDateTime(column: String): LocalDateTime = get<LocalDateTime>(column)

/** The column as a LocalTime; fails on NULL. */
public fun Row.localTime(column: String): LocalTime = get<LocalTime>(column)

/** The column's bytes; fails on NULL. */
public fun Row.bytes(column: String): ByteArray = get<ByteArray>(column)

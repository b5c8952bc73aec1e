package consumer

import io.github.pgengine.PostgresEngine
import io.github.pgengine.coroutines.awaitExecute
import io.github.pgengine.coroutines.awaitQuery
import io.github.pgengine.coroutines.long
import io.github.pgengine.coroutines.string
import io.github.pgengine.coroutines.suspendTransaction
import org.springframework.stereotype.Service

/** Accounts and transfers on the auto-configured engine, through pgengine's coroutine API. */
@Service
class AccountService(private val engine: PostgresEngine) {

    suspend fun open(vararg accounts: Pair<String, Long>) {
        engine.awaitExecute("DROP TABLE IF EXISTS account")
        engine.awaitExecute("CREATE TABLE account (name text PRIMARY KEY, balance bigint NOT NULL)")
        for ((name, balance) in accounts) {
            engine.awaitExecute("INSERT INTO account (name, balance) VALUES (\$1, \$2)", name, balance)
        }
    }

    suspend fun balances(): Map<String, Long> =
        engine.awaitQuery("SELECT name, balance FROM account ORDER BY name")
            .associate { it.string("name") to it.long("balance") }

    /** Moves [amount] in one transaction: both updates or neither. */
    suspend fun transfer(from: String, to: String, amount: Long): Long =
        engine.suspendTransaction { tx ->
            tx.execute("UPDATE account SET balance = balance - \$1 WHERE name = \$2", amount, from) +
                tx.execute("UPDATE account SET balance = balance + \$1 WHERE name = \$2", amount, to)
        }

    /** A report that takes far too long: its caller gives up on it. */
    suspend fun slowReport() {
        engine.awaitQuery(SLOW_REPORT)
    }

    /** Empties an account, then runs the slow report in the same transaction. */
    suspend fun emptyThenReport(name: String) {
        engine.suspendTransaction { tx ->
            tx.execute("UPDATE account SET balance = 0 WHERE name = \$1", name)
            tx.query(SLOW_REPORT)
        }
    }

    /** How many server sessions run [sql] right now. */
    suspend fun running(sql: String): Long =
        engine.awaitQuery(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE query = \$1 AND state = 'active'",
                sql,
            )
            .single()
            .long("n")

    companion object {
        const val SLOW_REPORT = "SELECT pg_sleep(30)"
    }
}

package io.github.pgengine;

import io.github.pgengine.internal.wire.Result;
import io.github.pgengine.internal.wire.RowData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Turns the driver's results into {@link Row}s sharing one column index. */
final class Rows {
    private Rows() {}

    static List<Row> from(Result result) {
        List<RowData> data = result.rowData();
        int n = data.size();
        if (n == 0) {
            return List.of();
        }
        Row.Columns columns = new Row.Columns(result.columnNames());
        List<Row> rows = new ArrayList<>(n);
        for (RowData values : data) {
            rows.add(new Row(columns, values));
        }
        return Collections.unmodifiableList(rows);
    }
}

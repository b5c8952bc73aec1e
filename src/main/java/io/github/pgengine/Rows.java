package io.github.pgengine;

import com.github.jasync.sql.db.QueryResult;
import com.github.jasync.sql.db.ResultSet;
import com.github.jasync.sql.db.RowData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Turns the driver's result sets into {@link Row}s sharing one column index. */
final class Rows {
    private Rows() {}

    static List<Row> from(QueryResult result) {
        ResultSet rs = result.getRows();
        int n = rs.size();
        if (n == 0) {
            return List.of();
        }
        Row.Columns columns = new Row.Columns(rs.columnNames().toArray(new String[0]));
        int width = columns.names.length;
        List<Row> rows = new ArrayList<>(n);
        for (RowData data : rs) {
            Object[] values = new Object[width];
            for (int i = 0; i < width; i++) {
                values[i] = data.get(i);
            }
            rows.add(new Row(columns, values));
        }
        return Collections.unmodifiableList(rows);
    }
}

package org.opensipis.http.status;

import java.util.List;

/**
 * One page of {@code /stats} instance rows.
 *
 * @param matching how many instances match the search in total
 * @param rows     the rows of this page, ordered by selector
 */
public record InstancePage(long matching, List<InstanceRow> rows) {
    public InstancePage {
        rows = List.copyOf(rows);
    }
}

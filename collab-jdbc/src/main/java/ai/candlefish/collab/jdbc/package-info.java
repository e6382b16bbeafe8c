/**
 * A {@link ai.candlefish.collab.spi.DocumentStore} in a SQL database over plain JDBC:
 * {@link ai.candlefish.collab.jdbc.JdbcDocumentStore}, for PostgreSQL in production and H2 as the embedded default.
 */
@NullMarked
package ai.candlefish.collab.jdbc;

import org.jspecify.annotations.NullMarked;

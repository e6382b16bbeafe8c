/** Document storage and leases in a JDBC database (PostgreSQL, H2). */
module ai.candlefish.collab.jdbc {
  requires static org.jspecify;
  requires transitive ai.candlefish.collab.core;
  requires transitive java.sql;
  requires org.slf4j;

  exports ai.candlefish.collab.jdbc;
}

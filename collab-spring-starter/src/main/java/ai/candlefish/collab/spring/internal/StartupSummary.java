package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spring.CollabProperties;

/** The one INFO line that says how the server runs: where, which protocols, storage, authentication, cluster. */
public final class StartupSummary {
  private static final String JDBC_STORE = "ai.candlefish.collab.jdbc.JdbcDocumentStore";
  private static final String JWT_AUTHENTICATOR = "ai.candlefish.collab.spring.security.JwtAuthenticator";

  private StartupSummary() {}

  /** Names no token, password or file content: only kinds and addresses. */
  public static String line(CollabServer server, CollabProperties p, DocumentStore store,
      Authenticator authenticator) {
    String host = p.host() == null || p.host().isBlank() ? "0.0.0.0" : p.host();
    String path = p.path().isEmpty() ? "/" : p.path();
    String where = server.port() < 0 ? "the application's own port at " + path // candlefish.collab.transport=servlet
        : (server.isSecure() ? "wss" : "ws") + "://" + host + ":" + server.port() + path;
    return "collab server ready on " + where
        + (p.ssl().enabled() ? " (ssl bundle " + p.ssl().bundle() + ")" : "")
        + "; protocols y-websocket, hocuspocus, collab/1; storage " + storage(store) + "; auth "
        + auth(authenticator, p.security()) + "; cluster " + (server.isClustered() ? "on" : "off");
  }

  private static String storage(DocumentStore store) {
    if (store instanceof InMemoryDocumentStore) {
      return "memory";
    }
    return store.getClass().getName().equals(JDBC_STORE) ? "jdbc" : "custom (" + kind(store) + ")";
  }

  private static String auth(Authenticator authenticator, CollabProperties.Security security) {
    if (authenticator.getClass().getName().equals(JWT_AUTHENTICATOR)) {
      return "jwt";
    }
    if (security.mode() == CollabProperties.SecurityMode.DEVELOPMENT) {
      return "development (everybody writes in tenant " + security.developmentTenant() + ")";
    }
    return "custom (" + kind(authenticator) + ")";
  }

  private static String kind(Object bean) {
    String name = bean.getClass().getSimpleName();
    return name.isEmpty() || name.contains("$$Lambda") ? bean.getClass().getName() : name;
  }
}

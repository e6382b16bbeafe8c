package ai.candlefish.collab.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The collaboration server's settings, under {@code candlefish.collab}. Every one has a default; the server
 * checks the values when the application starts and names the wrong one.
 *
 * @param enabled whether to start a server at all
 * @param host the address to bind; empty: every interface
 * @param port the WebSocket port (0: any free one); the y-websocket default is 1234
 * @param path the path below which documents are served ({@code /collab}: {@code ws://host:port/collab/doc})
 * @param tls {@code wss://} from PEM files
 * @param limits what one connection may do
 * @param documents when documents are stored and unloaded
 * @param storage where documents live
 * @param security who may connect
 * @param allowedOrigins the web pages (origins, {@code https://app.example.com}) that may open a connection; empty:
 *     in a web application, its own pages (the origin on the host the browser connects to, at {@code server.port});
 *     otherwise any
 */
@ConfigurationProperties("candlefish.collab")
public record CollabProperties(
    @DefaultValue("true") boolean enabled,
    String host,
    @DefaultValue("1234") int port,
    @DefaultValue("") String path,
    @DefaultValue Tls tls,
    @DefaultValue Limits limits,
    @DefaultValue Documents documents,
    @DefaultValue Storage storage,
    @DefaultValue Security security,
    List<String> allowedOrigins) {

  /**
   * TLS: both files set serves {@code wss://}.
   *
   * @param certificate the certificate chain, PEM
   * @param privateKey the private key, PKCS#8 PEM
   * @param keyPassword the private key's password, if it is encrypted
   */
  public record Tls(Path certificate, Path privateKey, String keyPassword) {
    /** Whether TLS is asked for (either file set). */
    public boolean enabled() {
      return certificate != null || privateKey != null;
    }
  }

  /**
   * Per-connection limits.
   *
   * @param maxMessageSize the largest message a client may send
   * @param maxDocumentsPerConnection how many documents one connection may have open
   * @param messagesPerSecond the sustained message rate of one connection (faster clients are slowed down)
   * @param messageBurst how many messages one connection may send at once
   * @param idleTimeout how long a client may stay silent before it is pinged, then closed
   * @param outboundBuffer how much may wait to be sent to one client before it counts as too slow
   * @param maxConnections how many connections the server holds at once
   * @param maxConnectionsPerAddress how many of them may come from one remote address
   * @param upgradeTimeout how long a connection may take for its whole WebSocket upgrade
   * @param maxLoadedDocuments how many documents may be in memory at once
   * @param documentOpensPerSecond how fast one connection may open documents (sustained; burst 64)
   * @param maxAwarenessState the largest presence (awareness) update a client may send
   * @param maxNestingDepth how deep a client's update may nest shared types (closed with 4422 beyond)
   * @param maxDocumentSize how large a document may grow through client updates (closed with 4413 beyond)
   * @param maxPendingSize how much per document may wait for missing dependencies (closed with 4424 beyond)
   * @param maxPendingAge how long something may wait for missing dependencies before nothing more may wait
   */
  public record Limits(
      @DefaultValue("16MB") DataSize maxMessageSize,
      @DefaultValue("64") int maxDocumentsPerConnection,
      @DefaultValue("200") int messagesPerSecond,
      @DefaultValue("1000") int messageBurst,
      @DefaultValue("60s") Duration idleTimeout,
      @DefaultValue("16MB") DataSize outboundBuffer,
      @DefaultValue("10000") int maxConnections,
      @DefaultValue("256") int maxConnectionsPerAddress,
      @DefaultValue("10s") Duration upgradeTimeout,
      @DefaultValue("10000") int maxLoadedDocuments,
      @DefaultValue("20") int documentOpensPerSecond,
      @DefaultValue("32KB") DataSize maxAwarenessState,
      @DefaultValue("1000") int maxNestingDepth,
      @DefaultValue("128MB") DataSize maxDocumentSize,
      @DefaultValue("1MB") DataSize maxPendingSize,
      @DefaultValue("10m") Duration maxPendingAge) {}

  /**
   * Document lifecycle.
   *
   * @param unloadDelay how long a document stays in memory after its last client left
   * @param storeDebounce how long after a document's last change it is stored
   * @param storeMaxWait how long after its first unstored change it is stored at the latest
   * @param compactAfterUpdates how many stored updates are replaced by one compacted state
   */
  public record Documents(
      @DefaultValue("10s") Duration unloadDelay,
      @DefaultValue("2s") Duration storeDebounce,
      @DefaultValue("10s") Duration storeMaxWait,
      @DefaultValue("500") int compactAfterUpdates) {}

  /**
   * Storage.
   *
   * @param type {@code auto}: JDBC on the application's {@code DataSource} when there is one and
   *     {@code collab-jdbc} is on the class path, else in memory; {@code memory}; {@code jdbc}
   * @param tablePrefix the prefix of the JDBC store's tables
   */
  public record Storage(@DefaultValue("auto") StorageType type, @DefaultValue("collab_") String tablePrefix) {}

  /** Where documents are stored. */
  public enum StorageType {
    /** JDBC when a {@code DataSource} and {@code collab-jdbc} are there, else memory. */
    AUTO,
    /** In memory only: lost when the application stops. For development and tests. */
    MEMORY,
    /** In the application's {@code DataSource} (PostgreSQL, H2). */
    JDBC
  }

  /**
   * Authentication.
   *
   * @param mode {@code jwt}: tokens are JWTs checked by the application's {@code JwtDecoder}; {@code development}:
   *     everybody may do everything in {@link #developmentTenant} (logged as a warning; never in production)
   * @param tenantClaim the claim that holds the principal's tenant
   * @param permissionsClaim the claim that holds its permissions: {@code "read"} or {@code "write"} for every
   *     document of the tenant, or an object from document name ({@code "*"} for the others) to permission
   * @param developmentTenant the tenant of development mode
   * @param audience the audience a JWT must name in its {@code aud} claim to be accepted; empty: not checked here
   *     (then let the {@code JwtDecoder} check it, for example with
   *     {@code spring.security.oauth2.resourceserver.jwt.audiences})
   */
  public record Security(
      @DefaultValue("jwt") SecurityMode mode,
      @DefaultValue("tenant") String tenantClaim,
      @DefaultValue("collab") String permissionsClaim,
      @DefaultValue("dev") String developmentTenant,
      String audience) {}

  /** How clients authenticate. */
  public enum SecurityMode {
    /** JWTs, checked by the application's {@code JwtDecoder}. */
    JWT,
    /** Everybody may do everything: for development only. */
    DEVELOPMENT
  }
}

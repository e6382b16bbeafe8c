package ai.candlefish.collab.spring.internal;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.Arrays;
import javax.net.ssl.SSLException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/** The server's TLS from one of Boot's SSL bundles ({@code candlefish.collab.ssl.bundle}). */
public final class SslBundleContexts {
  private static final String PROPERTY = "candlefish.collab.ssl.bundle";

  private SslBundleContexts() {}

  /**
   * A Netty server context with the bundle's key manager (its key alias included) and its protocols and ciphers
   * when it names them.
   *
   * @throws InvalidCollabPropertyException if there is no such bundle or it holds no usable key
   */
  public static SslContext serverContext(String name, SslBundles bundles) {
    if (bundles == null) {
      throw new InvalidCollabPropertyException(PROPERTY, name, "the application has no SslBundles bean",
          "Define the bundle under spring.ssl.bundle.pem." + name + " (or .jks." + name + ") with Spring Boot's "
              + "SSL auto-configuration in place", null);
    }
    SslBundle bundle;
    try {
      bundle = bundles.getBundle(name);
    } catch (NoSuchSslBundleException e) {
      throw new InvalidCollabPropertyException(PROPERTY, name, "there is no SSL bundle of that name",
          "Define spring.ssl.bundle.pem." + name + ".keystore.certificate and .private-key (or a .jks." + name
              + " bundle), or name an existing bundle", e);
    }
    try {
      SslContextBuilder builder = SslContextBuilder.forServer(bundle.getManagers().getKeyManagerFactory());
      SslOptions options = bundle.getOptions();
      if (options.getEnabledProtocols() != null) {
        builder.protocols(options.getEnabledProtocols());
      }
      if (options.getCiphers() != null) {
        builder.ciphers(Arrays.asList(options.getCiphers()));
      }
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new InvalidCollabPropertyException(PROPERTY, name, "the bundle has no usable server key and "
          + "certificate", "Give the bundle a key store with the server's private key and certificate chain "
              + "(spring.ssl.bundle.pem." + name + ".keystore.*)", e);
    }
  }
}

package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spring.CollabProperties;
import ai.candlefish.collab.spring.security.JwtAuthenticator;
import org.springframework.context.ApplicationContext;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** Only loaded when Spring Security's JWT support is on the class path. */
public final class JwtAuthenticators {
  private JwtAuthenticators() {}

  /** A {@link JwtAuthenticator} on the application's one {@link JwtDecoder}, or null if it has none. */
  public static Authenticator fromContext(ApplicationContext context, CollabProperties.Security security) {
    JwtDecoder decoder = context.getBeanProvider(JwtDecoder.class).getIfUnique();
    return decoder == null ? null
        : new JwtAuthenticator(decoder, security.tenantClaim(), security.permissionsClaim(),
            security.audience());
  }
}

package ai.candlefish.collab.examples.paintbox;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * The development login ({@code paintbox.dev-login.enabled}, on by default): {@code POST /api/login} with a name
 * gives a token ({@link DevLoginController}), and the {@link JwtDecoder} bean checks those tokens for the
 * collaboration server (the starter's {@code JwtAuthenticator}) and for Paintbox's own API.
 *
 * <p>With the host's identity provider instead: {@code paintbox.dev-login.enabled=false},
 * {@code spring-boot-starter-oauth2-resource-server} and {@code spring.security.oauth2.resourceserver.jwt.*} give
 * the {@code JwtDecoder}; its tokens must carry the claims {@code tenant} ({@value PaintboxApplication#TENANT}) and
 * {@code collab} ({@code "write"}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "paintbox.dev-login.enabled", matchIfMissing = true)
class DevLoginConfiguration {
  @Bean
  DevTokens devTokens(PaintboxProperties properties) {
    PaintboxProperties.DevLogin login = properties.devLogin();
    return DevTokens.fromSettings(login.secret(), properties.dataDir(), login.tokenLifetime());
  }

  @Bean
  JwtDecoder jwtDecoder(DevTokens tokens) {
    return tokens.decoder();
  }
}

package ai.candlefish.collab.examples.paintbox;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The development login's tokens: JWTs signed with HMAC-SHA256, whose subject is the user's name, with the claims
 * the collaboration server's {@code JwtAuthenticator} reads ({@code tenant}: {@value PaintboxApplication#TENANT},
 * {@code collab}: {@code "write"}). {@link #decoder()} checks them (signature and expiry).
 *
 * <p>Thread-safe.
 */
public final class DevTokens {
  static final String ISSUER = "paintbox-dev-login";
  private static final int KEY_BYTES = 32;

  private final SecretKey key;
  private final Duration lifetime;

  DevTokens(byte[] secret, Duration lifetime) {
    if (secret.length < KEY_BYTES) {
      throw new IllegalArgumentException("paintbox.dev-login.secret must have at least " + KEY_BYTES
          + " bytes (HMAC-SHA256) but has " + secret.length);
    }
    this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
  }

  /**
   * The key from {@code secret} if it is set, else the one kept in {@code <dataDir>/dev-login.key} (created, random,
   * on the first start), so that tokens outlive a restart.
   */
  static DevTokens fromSettings(String secret, Path dataDir, Duration lifetime) {
    if (secret != null && !secret.isEmpty()) {
      return new DevTokens(secret.getBytes(StandardCharsets.UTF_8), lifetime);
    }
    Path file = dataDir.resolve("dev-login.key");
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(file)) {
        byte[] random = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(random);
        try {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
          Files.createFile(file); // not a POSIX file system
        } catch (FileAlreadyExistsException e) {
          return new DevTokens(Base64.getDecoder().decode(Files.readString(file).strip()), lifetime);
        }
        Files.writeString(file, Base64.getEncoder().encodeToString(random));
        return new DevTokens(random, lifetime);
      }
      return new DevTokens(Base64.getDecoder().decode(Files.readString(file).strip()), lifetime);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the development login key " + file.toAbsolutePath(), e);
    }
  }

  /** A token for {@code user}, valid for the configured lifetime. */
  public String issue(String user) {
    return issue(user, "write");
  }

  /** A token for {@code user} with {@code collab} as its permissions claim (tests give read-only tokens). */
  String issue(String user, Object collab) {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(user)
        .issuer(ISSUER)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(lifetime)))
        .claim("tenant", PaintboxApplication.TENANT)
        .claim("collab", collab)
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a development token", e);
    }
    return jwt.serialize();
  }

  /** How long a token is valid. */
  public Duration lifetime() {
    return lifetime;
  }

  /** A decoder that accepts the tokens of {@link #issue} (and checks their expiry). */
  public JwtDecoder decoder() {
    return NimbusJwtDecoder.withSecretKey(key).macAlgorithm(MacAlgorithm.HS256).build();
  }
}

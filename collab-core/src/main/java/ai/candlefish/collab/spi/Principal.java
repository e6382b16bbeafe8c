package ai.candlefish.collab.spi;

import ai.candlefish.collab.core.internal.text.LogText;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Who is connected, as an {@link Authenticator} established it: an id (for the host's logs and hooks), the tenant
 * whose documents the principal works in, and the permission for each document of that tenant.
 *
 * <p>A principal never has any permission on another tenant's documents: {@link #permission(DocumentKey)} answers
 * {@link Permission#NONE} for them without asking the lookup, so an authenticator cannot grant them by mistake.
 *
 * <p><b>Expiry.</b> A principal may carry the instant its token stops being valid ({@link #expiringAt}; the starter's
 * JWT authenticator sets it from {@code exp}). A server ends what the client opened with that token when it passes,
 * unless the client sent a fresh token for the same principal first. It may also carry when the token was issued
 * ({@link #issuedAt(Instant)}, from {@code iat}): a server that revoked the principal accepts only tokens issued after.
 *
 * <p>Immutable and thread-safe (provided the lookup is).
 */
public final class Principal {
  private final String id;
  private final String tenant;
  private final Function<String, @Nullable Permission> permissions;
  private final @Nullable Instant expiresAt;
  private final @Nullable Instant issuedAt;

  private Principal(String id, String tenant, Function<String, @Nullable Permission> permissions,
      @Nullable Instant expiresAt, @Nullable Instant issuedAt) {
    this.id = Objects.requireNonNull(id, "id");
    String problem = DocumentKey.loneSurrogate(id);
    if (problem != null) {
      // Stores keep the id as the owner of the principal's client ids: as '?' it would be another principal's.
      throw new IllegalArgumentException("principal id " + problem);
    }
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.permissions = permissions;
    this.expiresAt = expiresAt;
    this.issuedAt = issuedAt;
    // Fails here, not at the first document, when the tenant id cannot name documents.
    DocumentKey.of(tenant, "-");
  }

  /**
   * A principal with the same permission on every document of its tenant.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code tenant} is not a valid tenant id (see {@link DocumentKey}) or
   *     {@code id} has a lone surrogate (it has no UTF-8 form)
   */
  public static Principal of(String id, String tenant, Permission permission) {
    Objects.requireNonNull(permission, "permission");
    return new Principal(id, tenant, name -> permission, null, null);
  }

  /**
   * A principal whose permission depends on the document: {@code byDocumentName} gets the name of a document of
   * {@code tenant} and answers its permission (null counts as {@link Permission#NONE}).
   *
   * <p>The lookup runs on a network thread when a client opens a document: it must be fast and must not block.
   * Do the slow part (a database query, fetching keys) in {@link Authenticator#authenticate} and capture the
   * result.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code tenant} is not a valid tenant id (see {@link DocumentKey}) or
   *     {@code id} has a lone surrogate (it has no UTF-8 form)
   */
  public static Principal of(String id, String tenant, Function<String, @Nullable Permission> byDocumentName) {
    return new Principal(id, tenant, Objects.requireNonNull(byDocumentName, "byDocumentName"), null, null);
  }

  /**
   * This principal, valid until {@code expiresAt}: a server ends the client's session (or the documents it opened
   * with this principal's token) at that instant unless the client refreshed its token before.
   *
   * @param expiresAt when the token stops being valid, or null for never
   * @return a copy with that expiry (same id, tenant and permissions)
   */
  public Principal expiringAt(@Nullable Instant expiresAt) {
    return new Principal(id, tenant, permissions, expiresAt, issuedAt);
  }

  /** When the token this principal came from stops being valid, or null if it does not expire. */
  public @Nullable Instant expiresAt() {
    return expiresAt;
  }

  /**
   * This principal, from a token issued at {@code issuedAt} (a JWT's {@code iat}): after a server revoked the
   * principal, only tokens issued later are accepted again; without an issue time, none are until the server
   * forgets the revocation.
   *
   * @param issuedAt when the token was issued, or null if unknown
   * @return a copy with that issue time (same id, tenant, permissions and expiry)
   */
  public Principal issuedAt(@Nullable Instant issuedAt) {
    return new Principal(id, tenant, permissions, expiresAt, issuedAt);
  }

  /** When the token this principal came from was issued, or null if unknown. */
  public @Nullable Instant issuedAt() {
    return issuedAt;
  }

  /** Whether {@code other} is the same id in the same tenant (permissions and expiry aside). */
  public boolean isSameAs(Principal other) {
    return other != null && id.equals(other.id) && tenant.equals(other.tenant);
  }

  /** The principal's id, as the authenticator chose it (a user id, a service name). */
  public String id() {
    return id;
  }

  /** The tenant whose documents this principal works in. */
  public String tenant() {
    return tenant;
  }

  /** The key of this principal's tenant's document {@code name}. */
  public DocumentKey documentKey(String name) {
    return DocumentKey.of(tenant, name);
  }

  /**
   * What this principal may do with {@code key}: {@link Permission#NONE} for every document of another tenant,
   * otherwise what the lookup answers (null and exceptions count as {@link Permission#NONE}).
   */
  public Permission permission(DocumentKey key) {
    Objects.requireNonNull(key, "key");
    if (!key.tenant().equals(tenant)) {
      return Permission.NONE;
    }
    Permission p;
    try {
      p = permissions.apply(key.name());
    } catch (RuntimeException e) {
      // A lookup that fails denies; it must not grant by accident or take the connection down.
      return Permission.NONE;
    }
    return p == null ? Permission.NONE : p;
  }

  @Override
  public String toString() {
    // The id is whatever the authenticator took from the token (a user name can hold a line break): escaped for logs.
    return "Principal[id=" + LogText.safe(id) + ", tenant=" + LogText.safe(tenant)
        + (expiresAt == null ? "" : ", expiresAt=" + expiresAt) + "]";
  }
}

package ai.candlefish.collab.spi;

import java.util.Objects;
import java.util.function.Function;

/**
 * Who is connected, as an {@link Authenticator} established it: an id (for the host's logs and hooks), the tenant
 * whose documents the principal works in, and the permission for each document of that tenant.
 *
 * <p>A principal never has any permission on another tenant's documents: {@link #permission(DocumentKey)} answers
 * {@link Permission#NONE} for them without asking the lookup, so an authenticator cannot grant them by mistake.
 *
 * <p>Immutable and thread-safe (provided the lookup is).
 */
public final class Principal {
  private final String id;
  private final String tenant;
  private final Function<String, Permission> permissions;

  private Principal(String id, String tenant, Function<String, Permission> permissions) {
    this.id = Objects.requireNonNull(id, "id");
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.permissions = permissions;
    // Fails here, not at the first document, when the tenant id cannot name documents.
    DocumentKey.of(tenant, "-");
  }

  /**
   * A principal with the same permission on every document of its tenant.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code tenant} is not a valid tenant id (see {@link DocumentKey})
   */
  public static Principal of(String id, String tenant, Permission permission) {
    Objects.requireNonNull(permission, "permission");
    return new Principal(id, tenant, name -> permission);
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
   * @throws IllegalArgumentException if {@code tenant} is not a valid tenant id (see {@link DocumentKey})
   */
  public static Principal of(String id, String tenant, Function<String, Permission> byDocumentName) {
    return new Principal(id, tenant, Objects.requireNonNull(byDocumentName, "byDocumentName"));
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
    return "Principal[id=" + id + ", tenant=" + tenant + "]";
  }
}

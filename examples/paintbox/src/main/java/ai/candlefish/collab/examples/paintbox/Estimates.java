package ai.candlefish.collab.examples.paintbox;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The list of estimates (id, title, created) in Paintbox's own table {@code paintbox_estimate} (see
 * {@code schema.sql}), beside the collaborative documents that hold their content ({@code estimate-<id>}).
 *
 * <p>Thread-safe.
 */
@Repository
public class Estimates {
  /** The prefix of an estimate's document name. */
  public static final String DOCUMENT_PREFIX = "estimate-";
  private static final Pattern ID = Pattern.compile("[a-z0-9]{10}");
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final int MAX_TITLE = 120;

  /**
   * One estimate.
   *
   * @param id its id (ten lower-case letters and digits)
   * @param title what the user called it
   * @param created when it was created
   */
  public record Estimate(String id, String title, Instant created) {
    /** The name of its collaborative document. */
    public String document() {
      return DOCUMENT_PREFIX + id;
    }
  }

  private final JdbcClient jdbc;
  private final SecureRandom random = new SecureRandom();

  public Estimates(JdbcClient jdbc) {
    this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
  }

  /** Whether {@code document} is the name of an estimate's document. */
  public static boolean isEstimateDocument(String document) {
    return document.startsWith(DOCUMENT_PREFIX) && ID.matcher(document.substring(DOCUMENT_PREFIX.length())).matches();
  }

  /** The estimate id of an estimate's document name. */
  static String idOf(String document) {
    return document.substring(DOCUMENT_PREFIX.length());
  }

  /** Every estimate, the newest first. */
  public List<Estimate> list() {
    return jdbc.sql("SELECT id, title, created FROM paintbox_estimate ORDER BY created DESC, id")
        .query((rs, n) -> new Estimate(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
        .list();
  }

  /** The ids of every estimate in the list. */
  public Set<String> ids() {
    return Set.copyOf(jdbc.sql("SELECT id FROM paintbox_estimate").query(String.class).list());
  }

  /**
   * How often the list changed (on any instance): it grows with each creation and deletion, committed with it, so
   * {@link #ids()} read after it has every change up to it.
   */
  public long version() {
    return jdbc.sql("SELECT version FROM paintbox_list_version").query(Long.class).single();
  }

  private void changed() {
    jdbc.sql("UPDATE paintbox_list_version SET version = version + 1").update();
  }

  /** The estimate with {@code id}, if there is one. */
  public Optional<Estimate> find(String id) {
    if (!ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return jdbc.sql("SELECT id, title, created FROM paintbox_estimate WHERE id = ?").param(id)
        .query((rs, n) -> new Estimate(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
        .optional();
  }

  /**
   * Creates an estimate once {@code check} accepted its new id (it throws to refuse: nothing is created then).
   *
   * @throws IllegalArgumentException if the title is blank or longer than 120 characters
   */
  @Transactional
  public Estimate create(String title, Consumer<String> check) {
    String t = title == null ? "" : title.strip();
    if (t.isEmpty() || t.length() > MAX_TITLE || t.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("the title must have 1 to " + MAX_TITLE + " characters and no control "
          + "characters");
    }
    String id = newId();
    check.accept(id);
    Estimate estimate = new Estimate(id, t, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    jdbc.sql("INSERT INTO paintbox_estimate (id, title, created) VALUES (?, ?, ?)")
        .params(estimate.id(), estimate.title(), java.sql.Timestamp.from(estimate.created()))
        .update();
    changed();
    return estimate;
  }

  /**
   * Removes estimate {@code id} from the list (its document is not touched here); false if there was none. From then
   * on the collaboration socket refuses to open its document ({@link ListedEstimatesHooks}).
   */
  @Transactional
  public boolean delete(String id) {
    if (!ID.matcher(id).matches() || jdbc.sql("DELETE FROM paintbox_estimate WHERE id = ?").param(id).update() == 0) {
      return false;
    }
    changed();
    return true;
  }

  /** A new estimate id, at random (what {@link #create} gives the next estimate; nothing is kept). */
  String newId() {
    StringBuilder id = new StringBuilder(10);
    for (int i = 0; i < 10; i++) {
      id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }
}

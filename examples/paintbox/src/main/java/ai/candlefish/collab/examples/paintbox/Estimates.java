package ai.candlefish.collab.examples.paintbox;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * The list of estimates (id, title, created, how often renamed) in Paintbox's own table {@code paintbox_estimate}
 * (see {@code schema.sql}), beside the collaborative documents that hold their content ({@code estimate-<id>}).
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
   * @param titleVersion how often it was renamed: of two answers about one estimate, the one with the higher
   *     {@code titleVersion} has the newer title
   */
  public record Estimate(String id, String title, Instant created, long titleVersion) {
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

  private static final String COLUMNS = "SELECT id, title, created, title_version FROM paintbox_estimate";

  /** Every estimate, the newest first. */
  public List<Estimate> list() {
    return jdbc.sql(COLUMNS + " ORDER BY created DESC, id").query(Estimates::estimate).list();
  }

  private static Estimate estimate(ResultSet rs, int row) throws SQLException {
    return new Estimate(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getLong(4));
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
    return jdbc.sql(COLUMNS + " WHERE id = ?").param(id).query(Estimates::estimate).optional();
  }

  /**
   * {@code title} as an estimate's title, without the spaces around it.
   *
   * @throws IllegalArgumentException saying what is wrong with it: nothing but spaces, longer than 120 characters,
   *     a control character (a line break, a tab), or half a character (a lone surrogate)
   */
  static String checkedTitle(String title) {
    String t = title == null ? "" : title.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("an estimate needs a title");
    }
    if (t.length() > MAX_TITLE) {
      throw new IllegalArgumentException("the title has " + t.length() + " characters; at most " + MAX_TITLE
          + " fit");
    }
    if (t.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
        || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
      throw new IllegalArgumentException("the title may not contain control characters (line breaks, tabs)");
    }
    if (t.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE)) {
      throw new IllegalArgumentException("the title is not valid text (half of a character: a lone surrogate)");
    }
    return t;
  }

  /**
   * Creates an estimate once {@code check} accepted its new id (it throws to refuse: nothing is created then).
   *
   * @throws IllegalArgumentException if the title is not one ({@link #checkedTitle})
   */
  @Transactional
  public Estimate create(String title, Consumer<String> check) {
    String t = checkedTitle(title);
    String id = newId();
    check.accept(id);
    Estimate estimate = new Estimate(id, t, Instant.now().truncatedTo(ChronoUnit.MILLIS), 0);
    jdbc.sql("INSERT INTO paintbox_estimate (id, title, created) VALUES (?, ?, ?)")
        .params(estimate.id(), estimate.title(), java.sql.Timestamp.from(estimate.created()))
        .update();
    changed();
    return estimate;
  }

  /**
   * Renames estimate {@code id}; empty if the list has no such estimate (deleted meanwhile). Of two renames at once,
   * the one committed last is the title, with the higher {@link Estimate#titleVersion}.
   *
   * @throws IllegalArgumentException if the title is not one ({@link #checkedTitle})
   */
  @Transactional
  public Optional<Estimate> rename(String id, String title) {
    String t = checkedTitle(title);
    if (!ID.matcher(id).matches() || jdbc.sql("UPDATE paintbox_estimate SET title = ?, "
        + "title_version = title_version + 1 WHERE id = ?").params(t, id).update() == 0) {
      return Optional.empty();
    }
    return find(id); // the row stays locked until the commit: this is what the rename wrote
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

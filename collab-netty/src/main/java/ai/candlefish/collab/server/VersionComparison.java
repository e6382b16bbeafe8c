package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Delta;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.PermanentUserData;
import ai.candlefish.collab.core.Snapshot;
import ai.candlefish.collab.spi.DocumentVersion;
import ai.candlefish.collab.spi.VersionInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Two versions of a document side by side ({@link VersionHistory#compare}): one document (garbage collection off)
 * holding both, and the snapshot of each, so that anything can be read at either version, and text changes
 * come with who made them.
 *
 * <p>Not thread-safe (it holds a {@link Doc}).
 */
public final class VersionComparison {
  private final VersionInfo from;
  private final VersionInfo to;
  private final Snapshot fromSnapshot;
  private final Snapshot toSnapshot;
  private final Doc doc = Doc.newBuilder().gc(false).build();
  private final PermanentUserData users;

  VersionComparison(DocumentVersion from, DocumentVersion to) {
    this.from = from.info();
    this.to = to.info();
    this.fromSnapshot = Snapshot.decode(from.snapshot());
    this.toSnapshot = Snapshot.decode(to.snapshot());
    doc.applyUpdate(from.state());
    doc.applyUpdate(to.state());
    users = doc.rootNames().contains("users") ? new PermanentUserData(doc) : null;
  }

  /** The version compared from. */
  public VersionInfo from() {
    return from;
  }

  /** The version compared to. */
  public VersionInfo to() {
    return to;
  }

  /**
   * A document holding both versions: read it at {@link #fromSnapshot()} or {@link #toSnapshot()} ({@code
   * YArray.toList(snapshot)}, {@code YMap.toMap(snapshot)}, ...). Changing it changes nothing on the server.
   */
  public Doc doc() {
    return doc;
  }

  /** The snapshot of the version compared from. */
  public Snapshot fromSnapshot() {
    return fromSnapshot;
  }

  /** The snapshot of the version compared to. */
  public Snapshot toSnapshot() {
    return toSnapshot;
  }

  /**
   * The text root {@code name} at the version compared to, with what changed since the other version marked as
   * Yjs marks it (y-prosemirror shows this): text added carries the attribute {@code ychange} =
   * {@code {type: "added", user, client}}, text removed {@code {type: "removed", user, client}}. {@code user} is
   * the name that Yjs's {@code PermanentUserData} (the root map {@code "users"}) records for the change, or null
   * if the document has none; {@code client} is the id of the client that inserted the text.
   */
  public List<Delta> textChanges(String name) {
    Objects.requireNonNull(name, "name");
    return doc.getText(name).toDelta(toSnapshot, fromSnapshot, (type, client, clock) -> {
      Map<String, Object> change = new LinkedHashMap<>();
      change.put("type", type);
      change.put("user", users == null ? null
          : type.equals("added") ? users.getUserByClientId(client) : users.getUserByDeletedId(client, clock));
      change.put("client", client);
      return change;
    });
  }

  @Override
  public String toString() {
    return "VersionComparison[" + from + " -> " + to + "]";
  }
}

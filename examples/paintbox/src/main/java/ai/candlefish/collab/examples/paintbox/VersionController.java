package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.StateVector;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.server.VersionComparison;
import ai.candlefish.collab.server.VersionHistory;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.VersionInfo;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Named versions of an estimate, through the collaboration server's {@link VersionHistory} (kept by collab-jdbc):
 * save one, list them, view one read-only with its totals, compare two, restore one as a new edit that every open
 * page receives. Like the rest of the API it needs a signed-in user and grants what the collaboration socket
 * grants: listing, viewing and comparing need read access to the estimate's document, saving and restoring write
 * access (403). An estimate the token may not read, or of another tenant than {@value PaintboxApplication#TENANT},
 * is not found (404, as for an estimate that does not exist).
 */
@RestController
@RequestMapping("/api/estimates/{id}/versions")
class VersionController {
  private static final long TIMEOUT_SECONDS = 30;
  /** The Y.Map of an estimate's document that says which version was restored last, and when. */
  static final String RESTORED = "restored";

  /** A version in the list. */
  record VersionView(long id, String label, String author, Instant created) {
    static VersionView of(VersionInfo info) {
      return new VersionView(info.id(), info.label(), info.author(), info.createdAt());
    }
  }

  /** What the page sends to save a version. */
  record SaveRequest(String label) {}

  /** A past version, read-only: its rooms (each with its total), totals and notes. */
  record VersionContent(VersionView version, List<Map<String, Object>> rooms, BigDecimal area, BigDecimal grand,
      String notes) {}

  /**
   * Two versions compared: what changed, who edited in between (the people whose edits one version holds and the
   * other does not), and the totals.
   */
  record Comparison(VersionView from, VersionView to, List<String> changes, List<String> editors,
      BigDecimal grandFrom, BigDecimal grandTo) {}

  /** What the page sends to restore: whether to save the current state as a version first (so it can be undone). */
  record RestoreRequest(Boolean saveCurrent) {}

  /** A restore done: the version restored, whether anything changed, and the version saved before (or null). */
  record RestoreResult(VersionView restored, boolean changed, VersionView saved) {}

  private final Estimates estimates;
  private final Users users;
  private final CollabServer server;
  private final DocumentStore store;

  VersionController(Estimates estimates, Users users, CollabServer server, DocumentStore store) {
    this.estimates = estimates;
    this.users = users;
    this.server = server;
    this.store = store;
  }

  @GetMapping
  List<VersionView> list(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, HttpServletRequest http) {
    DocumentKey key = document(authorization, http, id, false).key();
    List<VersionView> newestFirst = new ArrayList<>(await(server.versions().list(key)).stream()
        .map(VersionView::of).toList());
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  VersionView save(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, @RequestBody SaveRequest request, HttpServletRequest http) {
    Caller caller = document(authorization, http, id, true);
    String label = request == null || request.label() == null ? "" : request.label().strip();
    if (label.isEmpty() || label.length() > VersionInfo.MAX_TEXT_LENGTH
        || label.chars().anyMatch(Character::isISOControl)) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "a version's label must have 1 to "
          + VersionInfo.MAX_TEXT_LENGTH + " characters and no control characters");
    }
    return VersionView.of(await(server.versions().save(caller.key(), label, caller.name())));
  }

  @GetMapping("/{version}")
  VersionContent one(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, @PathVariable("version") long version, HttpServletRequest http) {
    DocumentKey key = document(authorization, http, id, false).key();
    VersionInfo info = info(key, version);
    Doc doc = await(server.versions().open(key, version));
    EstimateContent content = EstimateContent.read(doc, null);
    EstimateTotals totals = content.totals();
    List<Map<String, Object>> rooms = new ArrayList<>();
    for (Map<String, Object> room : content.rooms()) {
      Map<String, Object> withTotal = new LinkedHashMap<>(room);
      withTotal.put("total", totals.rooms().getOrDefault((String) room.get("id"), BigDecimal.ZERO));
      rooms.add(withTotal);
    }
    return new VersionContent(VersionView.of(info), rooms, totals.area(), totals.grand(), content.notes());
  }

  @GetMapping("/compare")
  Comparison compare(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, @RequestParam("from") long from, @RequestParam("to") long to,
      HttpServletRequest http) {
    DocumentKey key = document(authorization, http, id, false).key();
    VersionComparison comparison = await(server.versions().compare(key, from, to));
    EstimateContent before = EstimateContent.read(comparison.doc(), comparison.fromSnapshot());
    EstimateContent after = EstimateContent.read(comparison.doc(), comparison.toSnapshot());
    return new Comparison(VersionView.of(comparison.from()), VersionView.of(comparison.to()),
        before.changesTo(after), editors(key, comparison), before.totals().grand(), after.totals().grand());
  }

  @PostMapping("/{version}/restore")
  RestoreResult restore(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, @PathVariable("version") long version,
      @RequestBody(required = false) RestoreRequest request, HttpServletRequest http) {
    Caller caller = document(authorization, http, id, true);
    VersionInfo info = info(caller.key(), version);
    VersionInfo saved = null;
    if (request == null || request.saveCurrent() == null || request.saveCurrent()) {
      String label = "Before restoring “" + info.label() + "”";
      saved = await(server.versions().save(caller.key(),
          label.length() > VersionInfo.MAX_TEXT_LENGTH ? label.substring(0, VersionInfo.MAX_TEXT_LENGTH) : label,
          caller.name()));
    }
    boolean changed = await(server.versions().restore(caller.key(), version));
    if (changed) {
      markRestored(caller.key(), version);
    }
    return new RestoreResult(VersionView.of(info), changed, saved == null ? null : VersionView.of(saved));
  }

  /**
   * Tells every open page that a version was restored: {@value #RESTORED} (a Y.Map) gets the version and the time,
   * in an edit right after the restore's, and a page clears its undo history when it changes. The restore put back
   * the version's rooms and text as new items; undoing a page's own edits from before would bring the old items back
   * beside them (a name twice, a room twice).
   */
  private void markRestored(DocumentKey key, long version) {
    try (DocumentHandle handle = await(server.openDocument(key))) {
      await(handle.edit(txn -> {
        YMap restored = txn.doc().getMap(RESTORED);
        restored.set("version", (double) version);
        restored.set("at", (double) System.currentTimeMillis());
      }));
    }
  }

  /** The signed-in caller and the document of estimate {@code id}. */
  private record Caller(String name, DocumentKey key) {}

  /**
   * The caller and estimate {@code id}'s document, if the token may read it ({@code write}: and write it); 404 for an
   * estimate it may not read, as for one that is not there, and 403 for one it may only read.
   */
  private Caller document(String authorization, HttpServletRequest http, String id, boolean write) {
    Users.Caller caller = users.caller(authorization, http);
    Permission permission = caller.permission(id);
    if (!permission.canRead() || estimates.find(id).isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id);
    }
    if (write && !permission.canWrite()) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "your token may only read estimate " + id
          + " (its 'collab' claim): saving and restoring versions need write access");
    }
    return new Caller(caller.name(), caller.estimate(id));
  }

  private VersionInfo info(DocumentKey key, long version) {
    return await(server.versions().list(key)).stream().filter(v -> v.id() == version).findFirst()
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no version " + version));
  }

  /**
   * Who edited between the two versions: the owners of the Yjs client ids whose state grew from one snapshot to the
   * other. The server records the principal that first wrote with each client id ({@link DocumentStore#claimClient})
   * and refuses structs under another's id, so these names come from the tokens, not from what a page says. The
   * server's own client id (totals, restores) has no owner and is left out.
   */
  private List<String> editors(DocumentKey key, VersionComparison comparison) {
    Map<Long, String> owners = store.loadClientOwners(key);
    StateVector a = comparison.fromSnapshot().stateVector();
    StateVector b = comparison.toSnapshot().stateVector();
    TreeSet<String> editors = new TreeSet<>();
    for (Long client : union(a, b)) {
      if (a.get(client) != b.get(client) && owners.containsKey(client)) {
        editors.add(owners.get(client));
      }
    }
    return List.copyOf(editors);
  }

  private static TreeSet<Long> union(StateVector a, StateVector b) {
    TreeSet<Long> clients = new TreeSet<>(a.toMap().keySet());
    clients.addAll(b.toMap().keySet());
    return clients;
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof NoSuchElementException) {
        throw new ResponseStatusException(HttpStatus.NOT_FOUND, e.getCause().getMessage());
      }
      if (e.getCause() instanceof IllegalArgumentException) {
        throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getCause().getMessage());
      }
      throw new IllegalStateException("the version history failed", e.getCause());
    } catch (TimeoutException e) {
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the version history did not answer in "
          + TIMEOUT_SECONDS + " s; try again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "interrupted");
    }
  }
}

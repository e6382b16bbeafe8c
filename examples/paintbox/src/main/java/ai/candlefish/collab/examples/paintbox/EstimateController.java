package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spring.CollabProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Paintbox's API for the page: where the collaboration server listens, and the estimates (list with who has each
 * open, create, one, delete). Estimates need a signed-in user of the tenant {@value PaintboxApplication#TENANT} (a token of
 * another tenant finds none and may create none), and the API grants what the collaboration socket grants: a user
 * sees the estimates whose document the token may read (others are 404, as if not there) and creates one only if
 * the token may write it. Their content goes through the collaboration socket.
 */
@RestController
class EstimateController {
  private static final Logger log = LoggerFactory.getLogger(EstimateController.class);
  /**
   * The Y.Map of an estimate's document that says it was deleted ({@code by}: who, {@code at}: when, in ms): the
   * pages that have it open show so and forget their copy.
   */
  static final String DELETED = "deleted";
  private static final int MARK_TIMEOUT_SECONDS = 30;

  /**
   * An estimate as the page sees it; {@code writable}: whether the caller's token may change it (a page keeps only
   * writable estimates in the browser: an edit the server refuses must not come back with the next page).
   */
  record EstimateView(String id, String title, Instant created, String document, List<Person> viewers,
      boolean writable) {}

  /**
   * Who the caller is, as the API sees the token: its name, and whether it may create an estimate (the page offers
   * "Create estimate" only then: a read-only token, or one for some estimates only, may not).
   */
  record Me(String name, boolean mayCreate) {}

  /** Somebody who has an estimate open. */
  record Person(String name, String color) {}

  /** What the page sends to create an estimate. */
  record CreateRequest(String title) {}

  /**
   * Where the page connects its y-websocket provider: {@code ws://<page's host>:<collabPort><collabPath>/<document>};
   * {@code collabPort} -1: the page's own port ({@code candlefish.collab.transport=servlet}). When that cannot be
   * reached, the page tries {@code collabFallbackUrls} in turn (a cluster's other instances: {@code
   * paintbox.collab-fallback-urls}).
   */
  record ClientConfig(int collabPort, String collabPath, String tenant, List<String> collabFallbackUrls) {}

  private final Estimates estimates;
  private final Users users;
  private final PresenceHooks presence;
  private final CollabServer server;
  private final DocumentStore store;
  private final CollabProperties collab;
  private final PaintboxProperties paintbox;

  EstimateController(Estimates estimates, Users users, PresenceHooks presence, CollabServer server,
      DocumentStore store, CollabProperties collab, PaintboxProperties paintbox) {
    this.estimates = estimates;
    this.users = users;
    this.presence = presence;
    this.server = server;
    this.store = store;
    this.collab = collab;
    this.paintbox = paintbox;
  }

  @GetMapping("/api/config")
  ClientConfig config() {
    String path = collab.path() == null ? "" : collab.path().replaceAll("/+$", "");
    return new ClientConfig(server.port(), path.isEmpty() || path.startsWith("/") ? path : "/" + path,
        PaintboxApplication.TENANT, paintbox.collabFallbackUrls());
  }

  @GetMapping("/api/me")
  Me me(@RequestHeader(name = "Authorization", required = false) String authorization, HttpServletRequest http) {
    Users.Caller caller = users.caller(authorization, http);
    // What create() asks of a new estimate's id, asked of one such id.
    return new Me(caller.name(), caller.isOfPaintbox() && caller.permission(estimates.newId()).canWrite());
  }

  @GetMapping("/api/estimates")
  List<EstimateView> list(@RequestHeader(name = "Authorization", required = false) String authorization,
      HttpServletRequest http) {
    Users.Caller caller = users.caller(authorization, http);
    if (!caller.isOfPaintbox()) {
      return List.of();
    }
    Map<String, List<String>> viewers = presence.viewers();
    return estimates.list().stream().filter(e -> caller.permission(e.id()).canRead())
        .map(e -> view(e, viewers, caller.permission(e.id()).canWrite())).toList();
  }

  @GetMapping("/api/estimates/{id}")
  EstimateView one(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, HttpServletRequest http) {
    Permission permission = users.caller(authorization, http).permission(id);
    if (!permission.canRead()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id);
    }
    return estimates.find(id).map(e -> view(e, presence.viewers(), permission.canWrite()))
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id));
  }

  @PostMapping("/api/estimates")
  @ResponseStatus(HttpStatus.CREATED)
  EstimateView create(@RequestHeader(name = "Authorization", required = false) String authorization,
      @RequestBody CreateRequest request, HttpServletRequest http) {
    Users.Caller caller = users.caller(authorization, http);
    if (!caller.isOfPaintbox()) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "estimates belong to the tenant "
          + PaintboxApplication.TENANT + "; sign in with a token of that tenant");
    }
    try {
      return view(estimates.create(request == null ? null : request.title(), id -> {
        if (!caller.permission(id).canWrite()) {
          throw new ResponseStatusException(HttpStatus.FORBIDDEN, "your token may not write new estimates (its "
              + "'collab' claim); ask for write access");
        }
      }), Map.of(), true);
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
    }
  }

  /**
   * Deletes estimate {@code id} for everybody (a token that may write it): it leaves the list, so the collaboration
   * socket opens its document no more ({@link ListedEstimatesHooks}); the pages that have it open, on every instance,
   * hear it through the document ({@value #DELETED}), say so and forget their copy in the browser; and what the store
   * holds of it (its updates, versions and client ids) is erased now, and once more when the document leaves memory
   * (edits that open pages sent before they heard of it). 404 for an estimate the token may not read, as for one that
   * is not there; 403 for one it may only read.
   */
  @DeleteMapping("/api/estimates/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, HttpServletRequest http) {
    Users.Caller caller = users.caller(authorization, http);
    Permission permission = caller.permission(id);
    if (!permission.canRead() || estimates.find(id).isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id);
    }
    if (!permission.canWrite()) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "your token may only read estimate " + id
          + " (its 'collab' claim): deleting it needs write access");
    }
    if (!estimates.delete(id)) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id); // deleted meanwhile
    }
    DocumentKey key = caller.estimate(id);
    markDeleted(key, caller.name());
    store.delete(key);
  }

  /** Tells the pages that have {@code key} open that {@code by} deleted it (see {@value #DELETED}). */
  private void markDeleted(DocumentKey key, String by) {
    try (DocumentHandle handle = server.openDocument(key).get(MARK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      handle.edit(txn -> {
        YMap deleted = txn.doc().getMap(DELETED);
        deleted.set("by", by);
        deleted.set("at", (double) System.currentTimeMillis());
      }).get(MARK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Deleted all the same: open pages find out when their socket is refused or they reload.
      log.warn("could not tell the open pages of {} that it was deleted: {}", key, e.toString());
    }
  }

  private static EstimateView view(Estimates.Estimate e, Map<String, List<String>> viewers, boolean writable) {
    List<Person> people = viewers.getOrDefault(e.id(), List.of()).stream()
        .map(name -> new Person(name, Users.colorOf(name))).toList();
    return new EstimateView(e.id(), e.title(), e.created(), e.document(), people, writable);
  }
}

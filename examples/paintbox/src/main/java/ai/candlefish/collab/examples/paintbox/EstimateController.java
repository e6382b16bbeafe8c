package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.LimitExceededException;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spring.CollabProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Paintbox's API for the page: where the collaboration server listens, and the estimates (list with who has each
 * open, create, one, rename, delete). Estimates need a signed-in user of the tenant
 * {@value PaintboxApplication#TENANT} (a token of another tenant finds none and may create none), and the API grants
 * what the collaboration socket grants: a user sees the estimates whose document the token may read (others are 404,
 * as if not there) and creates one only if the token may write it. Their content goes through the collaboration
 * socket.
 */
@RestController
class EstimateController {
  private static final Logger log = LoggerFactory.getLogger(EstimateController.class);
  /**
   * The Y.Map of an estimate's document that says it was deleted ({@code by}: who, {@code at}: when, in ms): the
   * pages that have it open show so and forget their copy.
   */
  static final String DELETED = "deleted";
  /**
   * The Y.Map of an estimate's document that the server changes after each rename ({@code version}: the new
   * {@code titleVersion}, {@code by}: who): the pages that have it open ask the API for the title again. The list in
   * the database holds the title, not the document, so a page shows no title that a later rename replaced, nor one
   * that a client wrote there.
   */
  static final String RENAMED = "renamed";
  private static final int MARK_TIMEOUT_SECONDS = 30;
  /** The most base64 a new estimate's content may have: an 8 MiB update (JSON strings may have 20 M characters). */
  private static final int MAX_CONTENT_CHARS = 8 * 1024 * 1024 / 3 * 4 + 4;

  /**
   * An estimate as the page sees it; {@code writable}: whether the caller's token may change it (a page keeps only
   * writable estimates in the browser: an edit the server refuses must not come back with the next page).
   */
  record EstimateView(String id, String title, Instant created, long titleVersion, String document,
      List<Person> viewers, boolean writable) {}

  /**
   * Who the caller is, as the API sees the token: its name, and whether it may create an estimate (the page offers
   * "Create estimate" only then: a read-only token, or one for some estimates only, may not).
   */
  record Me(String name, boolean mayCreate) {}

  /** Somebody who has an estimate open. */
  record Person(String name, String color) {}

  /**
   * What the page sends to create an estimate; {@code content}, if any: what it starts with, a Yjs update (base64) of
   * another estimate's document (what a page kept of an estimate deleted while it had it open).
   */
  record CreateRequest(String title, String content) {}

  /** What the page sends to rename an estimate. */
  record RenameRequest(String title) {}

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

  /**
   * Creates an estimate (a user who may write new ones), empty or starting with the request's {@code content}; 400
   * saying why for a title that is none ({@link Estimates#checkedTitle}) or content that is no Yjs update, and then
   * nothing is created.
   */
  @PostMapping("/api/estimates")
  @ResponseStatus(HttpStatus.CREATED)
  EstimateView create(@RequestHeader(name = "Authorization", required = false) String authorization,
      @RequestBody CreateRequest request, HttpServletRequest http) {
    Users.Caller caller = users.caller(authorization, http);
    if (!caller.isOfPaintbox()) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "estimates belong to the tenant "
          + PaintboxApplication.TENANT + "; sign in with a token of that tenant");
    }
    byte[] content = content(request);
    Estimates.Estimate created;
    try {
      created = estimates.create(request == null ? null : request.title(), id -> {
        if (!caller.permission(id).canWrite()) {
          throw new ResponseStatusException(HttpStatus.FORBIDDEN, "your token may not write new estimates (its "
              + "'collab' claim); ask for write access");
        }
      });
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    if (content != null) {
      startWith(caller.estimate(created.id()), created.id(), content);
    }
    return view(created, Map.of(), true);
  }

  /**
   * The request's {@code content} as a Yjs update, checked whole (it decodes, within the limits a client's update
   * has) before anything is created; null if there is none.
   */
  private static byte[] content(CreateRequest request) {
    if (request == null || request.content() == null) {
      return null;
    }
    if (request.content().length() > MAX_CONTENT_CHARS) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the content has " + request.content().length()
          + " characters of base64; at most " + MAX_CONTENT_CHARS + " fit");
    }
    try {
      byte[] update = Base64.getDecoder().decode(request.content());
      if (!Doc.create().applyUpdate(update, null, UpdateLimits.DEFAULTS)) {
        throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the content waits for more than it holds: "
            + "send a whole document's state");
      }
      return update;
    } catch (IllegalArgumentException | DecodingException | LimitExceededException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "the content is not a Yjs update (base64): "
          + e.getMessage());
    }
  }

  /**
   * Fills the new estimate {@code id} with {@code content}, without the mark that says it was deleted (the content
   * of an estimate deleted under a page has it). If that fails, the estimate goes again: an empty one the person did
   * not ask for would stay in the list.
   */
  private void startWith(DocumentKey key, String id, byte[] content) {
    try (DocumentHandle handle = server.openDocument(key).get(MARK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      handle.edit(txn -> {
        txn.doc().applyUpdate(content, handle);
        txn.doc().getMap(DELETED).clear();
      }).get(MARK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(id, e);
    } catch (Exception e) {
      throw unavailable(id, e);
    }
  }

  private ResponseStatusException unavailable(String id, Exception cause) {
    log.warn("could not fill the new estimate {}; it is deleted again: {}", id, cause.toString());
    estimates.delete(id);
    return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the collaboration server did not take the "
        + "content; nothing was created, try again");
  }

  /**
   * Renames estimate {@code id} (a user who may change it; the title as {@link Estimates#checkedTitle} wants it, else
   * 400 saying why): the list has the new title at once, on every instance, and the pages that have the estimate open
   * hear of it through the document ({@value #RENAMED}) and ask for it. 404 for an estimate the token may not read,
   * as for one that is not there (or was deleted meanwhile); 403 for one it may only read.
   */
  @PatchMapping("/api/estimates/{id}")
  EstimateView rename(@RequestHeader(name = "Authorization", required = false) String authorization,
      @PathVariable("id") String id, @RequestBody(required = false) RenameRequest request, HttpServletRequest http) {
    Users.Caller caller = writer(authorization, id, http, "renaming");
    Estimates.Estimate renamed;
    try {
      renamed = estimates.rename(id, request == null ? null : request.title())
          .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id));
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    tellOpenPages(caller.estimate(id), RENAMED, Map.of("version", (double) renamed.titleVersion(),
        "by", caller.name()));
    return view(renamed, presence.viewers(), true);
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
    Users.Caller caller = writer(authorization, id, http, "deleting");
    if (!estimates.delete(id)) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id); // deleted meanwhile
    }
    DocumentKey key = caller.estimate(id);
    tellOpenPages(key, DELETED, Map.of("by", caller.name(), "at", (double) System.currentTimeMillis()));
    store.delete(key);
  }

  /**
   * The caller, if its token may change estimate {@code id} ({@code doing}: what for, in the 403's words); 404 for an
   * estimate it may not read, as for one that is not there, and 403 for one it may only read.
   */
  private Users.Caller writer(String authorization, String id, HttpServletRequest http, String doing) {
    Users.Caller caller = users.caller(authorization, http);
    Permission permission = caller.permission(id);
    if (!permission.canRead() || estimates.find(id).isEmpty()) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no estimate " + id);
    }
    if (!permission.canWrite()) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "your token may only read estimate " + id
          + " (its 'collab' claim): " + doing + " it needs write access");
    }
    return caller;
  }

  /**
   * Writes {@code fields} into the Y.Map {@code map} of {@code key}'s document, which every page that has it open
   * receives (on every instance). Done all the same if that fails: open pages find out when they reload (a deleted
   * estimate: when their socket is refused).
   */
  private void tellOpenPages(DocumentKey key, String map, Map<String, Object> fields) {
    try (DocumentHandle handle = server.openDocument(key).get(MARK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      handle.edit(txn -> {
        YMap marks = txn.doc().getMap(map);
        fields.forEach(marks::set);
      }).get(MARK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("could not tell the open pages of {} that it was {}: {}", key, map, e.toString());
    }
  }

  private static EstimateView view(Estimates.Estimate e, Map<String, List<String>> viewers, boolean writable) {
    List<Person> people = viewers.getOrDefault(e.id(), List.of()).stream()
        .map(name -> new Person(name, Users.colorOf(name))).toList();
    return new EstimateView(e.id(), e.title(), e.created(), e.titleVersion(), e.document(), people, writable);
  }
}

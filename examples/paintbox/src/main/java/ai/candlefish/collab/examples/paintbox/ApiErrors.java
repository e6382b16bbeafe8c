package ai.candlefish.collab.examples.paintbox;

import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;

/**
 * The API's refusals ({@link ResponseStatusException}: a title too long, an estimate that is not there, a read-only
 * token) answered with what they say, as RFC 9457 problem details ({@code {"status": 400, "detail": "the title has 130
 * characters; at most 120 fit", ...}}) and their headers ({@code WWW-Authenticate}), so that the page can show the
 * person why. Spring Boot's error response leaves the reason out of its body, and the page showed nothing at all.
 * Other failures still answer without details: their messages are not written for the person using the page.
 */
@RestControllerAdvice
class ApiErrors {
  @ExceptionHandler(ResponseStatusException.class)
  ResponseEntity<ProblemDetail> refused(ResponseStatusException e) {
    return ResponseEntity.status(e.getStatusCode()).headers(e.getHeaders()).body(e.getBody());
  }
}

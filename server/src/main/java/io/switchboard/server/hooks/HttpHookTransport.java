package io.switchboard.server.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.server.config.HooksConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decisions as HTTP: a {@code POST} of the request object as JSON to the hook's URL, with the passed-on
 * handshake headers; the answer must be 2xx with a JSON object of at most {@code max-answer-bytes}. One
 * pooled keep-alive HTTP/1.1 client (the JDK's) for every hook; its work runs on two threads of its own,
 * never on an event loop. Redirects are not followed.
 */
public final class HttpHookTransport implements HookTransport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final ExecutorService executor;
    private final int maxAnswerBytes;

    public HttpHookTransport(int maxAnswerBytes) {
        this.maxAnswerBytes = maxAnswerBytes;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "switchboard-hooks");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public CompletableFuture<ObjectNode> call(HooksConfig.Hook hook, ObjectNode request, Map<String, List<String>> headers) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(hook.url())).timeout(hook.timeout())
                    .header("Content-Type", "application/json").header("User-Agent", "switchboard-hooks")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)));
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                for (String v : h.getValue()) {
                    b.header(h.getKey(), v);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // A header value the JDK refuses (it checks what the client sent at the handshake again).
            return CompletableFuture.failedFuture(new HookFailure(HookFailure.Reason.UNREACHABLE,
                    "the request could not be built: " + e.getClass().getSimpleName()));
        }
        // The request's timeout bounds the wait for the answer's head; this bounds the body too.
        return http.sendAsync(b.build(), info -> limited())
                .orTimeout(hook.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> answer(hook, response, failure));
    }

    private ObjectNode answer(HooksConfig.Hook hook, HttpResponse<byte[]> response, Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof HookFailure f) {
            throw f;
        }
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
            throw new HookFailure(HookFailure.Reason.TIMEOUT, "no answer within " + hook.timeout().toMillis() + " ms");
        }
        if (t != null) {
            throw new HookFailure(HookFailure.Reason.UNREACHABLE, "no answer: " + t.getClass().getSimpleName());
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new HookFailure(HookFailure.Reason.STATUS, "answered with status " + status);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new HookFailure(HookFailure.Reason.INVALID, "the answer is not JSON");
        }
        if (body == null || !body.isObject()) {
            throw new HookFailure(HookFailure.Reason.INVALID, "the answer is not a JSON object");
        }
        return (ObjectNode) body;
    }

    /** Reads the body, failing (and cancelling the read) once it is over the limit. */
    private HttpResponse.BodySubscriber<byte[]> limited() {
        return new HttpResponse.BodySubscriber<>() {
            private final CompletableFuture<byte[]> result = new CompletableFuture<>();
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();
            private Flow.Subscription subscription;

            @Override
            public CompletionStage<byte[]> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                if (result.isDone()) {
                    return;
                }
                for (ByteBuffer buf : buffers) {
                    if (out.size() + buf.remaining() > maxAnswerBytes) {
                        subscription.cancel();
                        result.completeExceptionally(new HookFailure(HookFailure.Reason.TOO_LARGE,
                                "the answer is over " + maxAnswerBytes + " bytes"));
                        return;
                    }
                    byte[] chunk = new byte[buf.remaining()];
                    buf.get(chunk);
                    out.write(chunk, 0, chunk.length);
                }
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out.toByteArray());
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

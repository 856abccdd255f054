package org.opensipis.push.fcm;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Firebase Admin's HTTP transport, on {@link HttpClient}. Two jobs besides carrying bytes:
 * <ul>
 * <li>requests to {@code https://fcm.googleapis.com} go to the entry's {@code Endpoint}
 * instead, when one is set (tests, a regional proxy);</li>
 * <li>an HTTP 503 reaches Firebase Admin as 500. Firebase retries 503 itself, up to four
 * times with backoff of up to 60 s, which would ignore the push's deadline; it does not retry
 * 500. The JSON error body (status {@code UNAVAILABLE}) is kept, so the error code the
 * provider sees is unchanged and the dispatcher retries inside the deadline instead.</li>
 * </ul>
 */
final class FcmTransport extends HttpTransport {

    static final String FCM_HOST = "fcm.googleapis.com";
    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

    private final HttpClient client;
    private final Optional<URI> endpoint;

    FcmTransport(HttpClient client, Optional<URI> endpoint) {
        this.client = client;
        this.endpoint = endpoint;
    }

    URI target(String url) {
        URI u = URI.create(url);
        if (endpoint.isEmpty() || !FCM_HOST.equalsIgnoreCase(u.getHost())) {
            return u;
        }
        URI e = endpoint.get();
        String base = e.toString().endsWith("/") ? e.toString().substring(0, e.toString().length() - 1) : e.toString();
        return URI.create(base + u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : ""));
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) {
        return new Request(method, target(url));
    }

    private final class Request extends LowLevelHttpRequest {
        private final String method;
        private final URI uri;
        private final List<String[]> headers = new ArrayList<>();
        private Duration readTimeout = Duration.ofSeconds(20);

        Request(String method, URI uri) {
            this.method = method;
            this.uri = uri;
        }

        @Override
        public void addHeader(String name, String value) {
            headers.add(new String[] {name, value});
        }

        @Override
        public void setTimeout(int connectTimeout, int readTimeoutMillis) {
            if (readTimeoutMillis > 0) {
                readTimeout = Duration.ofMillis(readTimeoutMillis);
            }
        }

        @Override
        public LowLevelHttpResponse execute() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (getStreamingContent() != null) {
                getStreamingContent().writeTo(body);
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .method(method, body.size() == 0 && getStreamingContent() == null
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
            for (String[] h : headers) {
                if (!RESTRICTED.contains(h[0].toLowerCase(Locale.ROOT))) {
                    b.header(h[0], h[1]);
                }
            }
            if (getContentType() != null) {
                b.setHeader("Content-Type", getContentType());
            }
            if (getContentEncoding() != null) {
                b.setHeader("Content-Encoding", getContentEncoding());
            }
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> exchange =
                    client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            try {
                // bounded on the monotonic clock, not by the JDK's wall-clock request timeout
                return new Response(org.opensipis.push.HttpDeadline.within(exchange, readTimeout).get());
            } catch (InterruptedException e) {
                exchange.cancel(true);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending to " + uri.getHost());
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException("sending to " + uri.getHost() + " failed: " + cause, cause);
            }
        }
    }

    private static final class Response extends LowLevelHttpResponse {
        private final HttpResponse<byte[]> response;
        private final List<String[]> headers = new ArrayList<>();

        Response(HttpResponse<byte[]> response) {
            this.response = response;
            for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
                for (String v : e.getValue()) {
                    headers.add(new String[] {e.getKey(), v});
                }
            }
        }

        @Override
        public InputStream getContent() {
            return new ByteArrayInputStream(response.body());
        }

        @Override
        public String getContentEncoding() {
            return response.headers().firstValue("content-encoding").orElse(null);
        }

        @Override
        public long getContentLength() {
            return response.body().length;
        }

        @Override
        public String getContentType() {
            return response.headers().firstValue("content-type").orElse(null);
        }

        @Override
        public String getStatusLine() {
            return "HTTP/1.1 " + getStatusCode() + " " + getReasonPhrase();
        }

        @Override
        public int getStatusCode() {
            return response.statusCode() == 503 ? 500 : response.statusCode();
        }

        @Override
        public String getReasonPhrase() {
            return response.statusCode() == 503 ? "Service Unavailable" : "";
        }

        @Override
        public int getHeaderCount() {
            return headers.size();
        }

        @Override
        public String getHeaderName(int index) {
            return headers.get(index)[0];
        }

        @Override
        public String getHeaderValue(int index) {
            return headers.get(index)[1];
        }
    }
}

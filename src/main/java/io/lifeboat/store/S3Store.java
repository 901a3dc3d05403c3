package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.StoreConfig;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import io.minio.messages.ListMultipartUploadsResult;
import io.minio.messages.Part;
import io.minio.messages.Upload;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store in an S3 bucket (MinIO or any S3 API), through the MinIO Java client.
 *
 * <p>{@link #put} streams an object of unknown length as a multipart upload: it reads one part
 * into a buffer while the previous part is being sent, so memory stays at two parts whatever the
 * object size. Objects shorter than one part go in a single PUT. On any failure the multipart
 * upload is aborted, so no object appears under the key.
 */
public final class S3Store implements BackupStore {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final MinioAsyncClient client;
    private final String endpoint;
    private final String bucket;
    private final String region;
    private final String secret;
    private final S3Settings settings;
    private final ExecutorService uploader;
    private volatile boolean bucketReady;

    public S3Store(StoreConfig config) {
        this(config, S3Settings.DEFAULTS);
    }

    public S3Store(StoreConfig config, S3Settings settings) {
        requireNonNull(config, "config");
        this.settings = requireNonNull(settings, "settings");
        this.endpoint = required(config.endpoint(), "endpoint");
        this.bucket = required(config.bucket(), "bucket");
        String accessKey = required(config.accessKey(), "accessKey");
        this.secret = required(config.secretKey(), "secretKey");
        this.region = config.region() == null || config.region().isBlank() ? null : config.region();
        MinioAsyncClient.Builder builder =
                MinioAsyncClient.builder().endpoint(endpoint).credentials(accessKey, secret);
        if (region != null) {
            builder.region(region);
        }
        try {
            this.client = builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid s3 store endpoint '" + endpoint + "': " + e.getMessage(), e);
        }
        client.setTimeout(
                settings.connectTimeout().toMillis(),
                settings.ioTimeout().toMillis(),
                settings.ioTimeout().toMillis());
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "s3-upload-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.uploader = Executors.newCachedThreadPool(threads);
    }

    @Override
    public long put(String key, InputStream in) throws IOException {
        Keys.checkKey(key);
        requireNonNull(in, "in");
        String what = "upload of " + key + " to " + describe();
        ensureBucket(what);
        int partSize = settings.partSize();
        byte[] current = new byte[partSize];
        int length = readPart(in, current);
        if (length < partSize) {
            putSingle(key, current, length, what);
            return length;
        }
        return putMultipart(key, in, current, length, what);
    }

    private void putSingle(String key, byte[] data, int length, String what) throws IOException {
        try {
            PutObjectArgs args = PutObjectArgs.builder().bucket(bucket).object(key).stream(
                            new ByteArrayInputStream(data, 0, length), length, -1)
                    .build();
            client.putObject(args).get();
        } catch (Exception e) {
            throw failure(what, e);
        }
    }

    private long putMultipart(String key, InputStream in, byte[] first, int firstLength, String what)
            throws IOException {
        String uploadId;
        try {
            uploadId = client.createMultipartUploadAsync(bucket, region, key, null, null)
                    .get()
                    .result()
                    .uploadId();
        } catch (Exception e) {
            throw failure(what, e);
        }
        byte[] spare = new byte[settings.partSize()];
        List<Part> parts = new ArrayList<>();
        Future<Part> pending = null;
        IOException streamError = null;
        IOException ownError = null;
        try {
            byte[] current = first;
            int length = firstLength;
            int partNumber = 0;
            long total = 0;
            while (length > 0) {
                if (++partNumber > S3Settings.MAX_PARTS) {
                    throw ownError = new IOException(what + ": the object needs more than " + S3Settings.MAX_PARTS
                            + " parts of " + settings.partSize() + " bytes; raise the part size");
                }
                Future<Part> previous = pending;
                pending = uploader.submit(uploadPart(key, uploadId, partNumber, current, length));
                if (previous != null) {
                    parts.add(previous.get());
                }
                total += length;
                // the part before this one is sent, so its buffer is free for the next one
                current = current == first ? spare : first;
                try {
                    length = readPart(in, current);
                } catch (IOException e) {
                    streamError = e;
                    throw e;
                }
            }
            parts.add(pending.get());
            pending = null;
            client.completeMultipartUploadAsync(bucket, region, key, uploadId, parts.toArray(new Part[0]), null, null)
                    .get();
            return total;
        } catch (Exception | Error e) {
            awaitQuietly(pending);
            abortQuietly(key, uploadId, e);
            if (e instanceof Error) {
                throw (Error) e;
            }
            if (e == streamError || e == ownError) {
                throw (IOException) e; // the caller's stream failed (rethrown as is), or the message says it all
            }
            throw failure(what, (Exception) e);
        }
    }

    private java.util.concurrent.Callable<Part> uploadPart(
            String key, String uploadId, int partNumber, byte[] data, int length) {
        return () -> {
            String etag = client.uploadPartAsync(bucket, region, key, data, length, uploadId, partNumber, null, null)
                    .get()
                    .etag();
            return new Part(partNumber, etag);
        };
    }

    /** Fills {@code buffer} from {@code in}; returns fewer bytes only at end of stream. */
    private static int readPart(InputStream in, byte[] buffer) throws IOException {
        return in.readNBytes(buffer, 0, buffer.length);
    }

    private static void awaitQuietly(Future<?> pending) {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // the part failed too; the upload is aborted next
        }
    }

    private void abortQuietly(String key, String uploadId, Throwable original) {
        try {
            client.abortMultipartUploadAsync(bucket, region, key, uploadId, null, null)
                    .get();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            IOException suppressed = failure("abort of unfinished upload " + key + " in " + describe(), e);
            original.addSuppressed(suppressed);
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        Keys.checkKey(key);
        try {
            return client.getObject(
                            GetObjectArgs.builder().bucket(bucket).object(key).build())
                    .get();
        } catch (Exception e) {
            if (isMissing(e)) {
                throw new NoSuchFileException(key, null, "no object in " + describe());
            }
            throw failure("download of " + key + " from " + describe(), e);
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        Keys.checkKey(key);
        try {
            client.statObject(
                            StatObjectArgs.builder().bucket(bucket).object(key).build())
                    .get();
            return true;
        } catch (Exception e) {
            if (isMissing(e)) {
                return false;
            }
            throw failure("looking up " + key + " in " + describe(), e);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Keys.checkPrefix(prefix);
        List<String> keys = new ArrayList<>();
        try {
            ListObjectsArgs args = ListObjectsArgs.builder()
                    .bucket(bucket)
                    .prefix(prefix)
                    .recursive(true)
                    .build();
            for (Result<Item> result : client.listObjects(args)) {
                Item item = result.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
        } catch (Exception e) {
            if (isMissing(e)) {
                return List.of();
            }
            throw failure("listing '" + prefix + "' in " + describe(), e);
        }
        keys.sort(null);
        return List.copyOf(keys);
    }

    @Override
    public void delete(String key) throws IOException {
        Keys.checkKey(key);
        try {
            client.removeObject(RemoveObjectArgs.builder()
                            .bucket(bucket)
                            .object(key)
                            .build())
                    .get();
        } catch (Exception e) {
            if (isMissing(e)) {
                return;
            }
            throw failure("delete of " + key + " in " + describe(), e);
        }
    }

    /**
     * Aborts the unfinished multipart uploads under {@code prefix} that were started before {@code
     * startedBefore}: a run killed outright (SIGKILL, power cut) leaves its upload open, and the server
     * keeps its parts (and bills them) until it is aborted. Returns the keys of the aborted uploads.
     * Uploads whose start the server does not report are left alone.
     */
    public List<String> abortIncompleteUploads(String prefix, java.time.Instant startedBefore) throws IOException {
        Keys.checkPrefix(prefix);
        requireNonNull(startedBefore, "startedBefore");
        List<String> aborted = new ArrayList<>();
        String keyMarker = null;
        String uploadIdMarker = null;
        try {
            while (true) {
                ListMultipartUploadsResult page = client.listMultipartUploadsAsync(
                                bucket,
                                region,
                                null,
                                null,
                                keyMarker,
                                1000,
                                prefix.isEmpty() ? null : prefix,
                                uploadIdMarker,
                                null,
                                null)
                        .get()
                        .result();
                for (Upload upload : page.uploads()) {
                    java.time.ZonedDateTime initiated = upload.initiated();
                    if (initiated != null
                            && initiated.toInstant().isBefore(startedBefore)
                            && upload.objectName().startsWith(prefix)) {
                        client.abortMultipartUploadAsync(
                                        bucket, region, upload.objectName(), upload.uploadId(), null, null)
                                .get();
                        aborted.add(upload.objectName());
                    }
                }
                if (!page.isTruncated()
                        || (java.util.Objects.equals(page.nextKeyMarker(), keyMarker)
                                && java.util.Objects.equals(page.nextUploadIdMarker(), uploadIdMarker))) {
                    return aborted;
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (Exception e) {
            if (isMissing(e) || "NoSuchUpload".equals(errorCode(e))) {
                return aborted; // no bucket yet, or another process aborted it first
            }
            throw failure("aborting unfinished uploads under '" + prefix + "' in " + describe(), e);
        }
    }

    @Override
    public String describe() {
        return "s3 " + endpoint + "/" + bucket;
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public void close() throws IOException {
        uploader.shutdownNow();
        try {
            client.close();
        } catch (Exception e) {
            throw new IOException("closing " + describe() + ": " + e.getMessage(), e);
        }
    }

    private void ensureBucket(String what) throws IOException {
        if (bucketReady) {
            return;
        }
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())
                    .get()) {
                MakeBucketArgs.Builder make = MakeBucketArgs.builder().bucket(bucket);
                if (region != null) {
                    make.region(region);
                }
                try {
                    client.makeBucket(make.build()).get();
                } catch (Exception e) {
                    if (!"BucketAlreadyOwnedByYou".equals(errorCode(e))) {
                        throw e;
                    }
                }
            }
            bucketReady = true;
        } catch (Exception e) {
            throw failure(what + ": bucket " + bucket + " could not be checked or created", e);
        }
    }

    /** An IOException saying what failed and why, in one line, never carrying the secret key. */
    private IOException failure(String what, Exception e) {
        Throwable cause = unwrap(e);
        if (cause instanceof InterruptedException || cause instanceof InterruptedIOException) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException(what + ": interrupted");
            interrupted.initCause(cause);
            return interrupted;
        }
        String reason = scrub(reason(cause));
        return new IOException(what + ": " + reason, cause);
    }

    private static String reason(Throwable cause) {
        if (cause instanceof ErrorResponseException) {
            ErrorResponseException error = (ErrorResponseException) cause;
            String code = error.errorResponse().code();
            String message = error.errorResponse().message();
            String reason = code + (message == null || message.isBlank() ? "" : ": " + message);
            if (isCredentialError(code)) {
                reason += " (check the store's accessKey and secretKey)";
            }
            return reason;
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused (" + cause.getMessage() + ")";
        }
        if (cause instanceof java.net.SocketTimeoutException) {
            return "timed out (" + cause.getMessage() + ")";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank()
                ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + message;
    }

    private static boolean isCredentialError(String code) {
        return "SignatureDoesNotMatch".equals(code)
                || "InvalidAccessKeyId".equals(code)
                || "AccessDenied".equals(code)
                || "InvalidSignature".equals(code);
    }

    private String scrub(String text) {
        return secret.isEmpty() ? text : text.replace(secret, "***");
    }

    private static boolean isMissing(Exception e) {
        String code = errorCode(e);
        return "NoSuchKey".equals(code)
                || "NoSuchObject".equals(code)
                || "NoSuchBucket".equals(code)
                || "ResourceNotFound".equals(code);
    }

    private static String errorCode(Exception e) {
        Throwable cause = unwrap(e);
        return cause instanceof ErrorResponseException
                ? ((ErrorResponseException) cause).errorResponse().code()
                : null;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("s3 store needs '" + name + "'");
        }
        return value;
    }
}

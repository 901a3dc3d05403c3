package io.lifeboat.pipeline;

/** What the pipeline stored: the object's key, its size, the raw size before compression, and its SHA-256. */
public record StoredArtifact(String key, long storedBytes, long rawBytes, String sha256) {}

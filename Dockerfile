# Lifeboat image: build the jar, run on a JRE with the stock tools its sources call.
FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client redis-tools zstd curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/lifeboat.jar /app/target/lifeboat.jar
COPY --from=build /src/target/lib /app/target/lib
COPY routes routes
COPY config/application.properties config/application.properties
ENV LIFEBOAT_HOME=/app
ENTRYPOINT ["java", "-jar", "/app/target/lifeboat.jar"]
CMD ["run"]

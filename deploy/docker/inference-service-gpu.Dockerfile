####
# kotune/inference-service:0.1.0-gpu — inference-service on ONNX Runtime's CUDA execution provider, for
# deploy/overlays/gpu. Same layout (/deployments), user (185) and ports as the Jib image of inference-service
# (deploy/pom.xml, profile `image`); the base
# differs because the onnxruntime_gpu 1.23 natives link against CUDA 12 and cuDNN 9, which the JRE base images lack.
#
# Build the application with ONNX Runtime's CUDA artifact (com.microsoft.onnxruntime:onnxruntime_gpu, managed in the
# root pom) in place of the CPU one - engine's `gpu` profile, activated by -Dkotune.gpu so that it also applies when
# engine is read as inference-service's dependency - then the image (build context: the inference-service module):
#   ./mvnw -pl inference-service -am package -DskipTests -Dkotune.gpu
#   docker build -f deploy/docker/inference-service-gpu.Dockerfile -t kotune/inference-service:0.1.0-gpu inference-service
# Without a usable GPU the engine falls back to ONNX Runtime's CPU provider with a log line: check the log after a
# rollout.
# The node needs an NVIDIA driver that supports CUDA 12.8 (>= 570) and the NVIDIA container toolkit / device plugin.
###
FROM eclipse-temurin:17-jre AS jre

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

ENV LANGUAGE='en_US:en' LANG='C.UTF-8' \
    JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH
COPY --from=jre /opt/java/openjdk /opt/java/openjdk

# uid 185, as in the CPU image, so the same securityContext (runAsUser: 185) applies.
RUN groupadd --gid 185 kotune \
    && useradd --uid 185 --gid 185 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin kotune \
    && mkdir -p /deployments && chown 185:185 /deployments

# Four distinct layers, so an application change leaves the library layers cached.
COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 target/quarkus-app/*.jar /deployments/
COPY --chown=185 target/quarkus-app/app/ /deployments/app/
COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/

EXPOSE 8080 9090
USER 185
WORKDIR /deployments
# No run-java.sh here, as in the Jib images: the heap share comes from JAVA_TOOL_OPTIONS (the Deployment sets it).
ENV KOTUNE_INFERENCE_EXECUTION_PROVIDER="CUDA" \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40" \
    JAVA_OPTS="-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager"

ENTRYPOINT [ "/bin/sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar" ]

{{/* Names and labels (Kubernetes recommended labels, app.kubernetes.io/*). */}}
{{- define "horizon.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "horizon.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Selector labels of one component: stable across upgrades (a Deployment selector is immutable). */}}
{{- define "horizon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "horizon.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "horizon.labels" -}}
{{ include "horizon.selectorLabels" . }}
app.kubernetes.io/version: {{ include "horizon.imageTag" .root | quote }}
app.kubernetes.io/part-of: horizon
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "horizon.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "horizon.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "horizon.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "horizon.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "horizon.fullname" .)) -}}
{{- end -}}

{{- define "horizon.configName" -}}
{{- printf "%s-config" (include "horizon.fullname" .) -}}
{{- end -}}

{{/* Pod-level security: non-root uid 1000 (the image's "node" user), seccomp RuntimeDefault. */}}
{{- define "horizon.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "horizon.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* A change of the ConfigMap or of a chart-made Secret rolls the pods. */}}
{{- define "horizon.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* Writable scratch space: the root filesystem is read-only. */}}
{{- define "horizon.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .sizeLimit }}
{{- end -}}

{{- define "horizon.preStop" -}}
preStop:
  exec:
    command: ["sleep", "{{ . }}"]
{{- end -}}

{{/* Egress of every Horizon pod: DNS, then PostgreSQL, RabbitMQ and S3 by port. */}}
{{- define "horizon.egressRules" -}}
{{- $np := .Values.networkPolicy -}}
- ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
- ports:
    {{- range (concat $np.egressPorts.database $np.egressPorts.broker $np.egressPorts.storage) }}
    - { protocol: TCP, port: {{ . }} }
    {{- end }}
  {{- with $np.egressTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

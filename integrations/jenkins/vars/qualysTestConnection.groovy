import qualysconnector.jenkins.QualysGate

/**
 * qualysTestConnection: the "Test Connection" button of Qualys' plugins as a step (see qualysTestConnection.txt).
 * Runs `qualys-connector doctor`: true when every check passed; otherwise the step fails naming the failed checks.
 */
def call(Map config = [:]) {
    Map plan
    try {
        plan = QualysGate.doctorPlan(config)
    } catch (IllegalArgumentException e) {
        error("qualysTestConnection: ${e.message}")
    }
    return QualysGate.testConnection(this, plan)
}

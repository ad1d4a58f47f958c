#include "proxy/ssm/ssm_actions.h"

#include <algorithm>
#include <array>

namespace ssm {
namespace {

// The operations of botocore's ssm/2014-11-06 service model (146), sorted for binary search.
constexpr std::array<std::string_view, 146> kActions = {
    "AddTagsToResource", "AssociateOpsItemRelatedItem", "CancelCommand", "CancelMaintenanceWindowExecution",
    "CreateActivation", "CreateAssociation", "CreateAssociationBatch", "CreateDocument",
    "CreateMaintenanceWindow", "CreateOpsItem", "CreateOpsMetadata", "CreatePatchBaseline",
    "CreateResourceDataSync", "DeleteActivation", "DeleteAssociation", "DeleteDocument", "DeleteInventory",
    "DeleteMaintenanceWindow", "DeleteOpsItem", "DeleteOpsMetadata", "DeleteParameter", "DeleteParameters",
    "DeletePatchBaseline", "DeleteResourceDataSync", "DeleteResourcePolicy", "DeregisterManagedInstance",
    "DeregisterPatchBaselineForPatchGroup", "DeregisterTargetFromMaintenanceWindow",
    "DeregisterTaskFromMaintenanceWindow", "DescribeActivations", "DescribeAssociation",
    "DescribeAssociationExecutionTargets", "DescribeAssociationExecutions", "DescribeAutomationExecutions",
    "DescribeAutomationStepExecutions", "DescribeAvailablePatches", "DescribeDocument",
    "DescribeDocumentPermission", "DescribeEffectiveInstanceAssociations",
    "DescribeEffectivePatchesForPatchBaseline", "DescribeInstanceAssociationsStatus",
    "DescribeInstanceInformation", "DescribeInstancePatchStates", "DescribeInstancePatchStatesForPatchGroup",
    "DescribeInstancePatches", "DescribeInstanceProperties", "DescribeInventoryDeletions",
    "DescribeMaintenanceWindowExecutionTaskInvocations", "DescribeMaintenanceWindowExecutionTasks",
    "DescribeMaintenanceWindowExecutions", "DescribeMaintenanceWindowSchedule",
    "DescribeMaintenanceWindowTargets", "DescribeMaintenanceWindowTasks", "DescribeMaintenanceWindows",
    "DescribeMaintenanceWindowsForTarget", "DescribeOpsItems", "DescribeParameters",
    "DescribePatchBaselines", "DescribePatchGroupState", "DescribePatchGroups", "DescribePatchProperties",
    "DescribeSessions", "DisassociateOpsItemRelatedItem", "GetAccessToken", "GetAutomationExecution",
    "GetCalendarState", "GetCommandInvocation", "GetConnectionStatus", "GetDefaultPatchBaseline",
    "GetDeployablePatchSnapshotForInstance", "GetDocument", "GetExecutionPreview", "GetInventory",
    "GetInventorySchema", "GetMaintenanceWindow", "GetMaintenanceWindowExecution",
    "GetMaintenanceWindowExecutionTask", "GetMaintenanceWindowExecutionTaskInvocation",
    "GetMaintenanceWindowTask", "GetOpsItem", "GetOpsMetadata", "GetOpsSummary", "GetParameter",
    "GetParameterHistory", "GetParameters", "GetParametersByPath", "GetPatchBaseline",
    "GetPatchBaselineForPatchGroup", "GetResourcePolicies", "GetServiceSetting", "LabelParameterVersion",
    "ListAssociationVersions", "ListAssociations", "ListCommandInvocations", "ListCommands",
    "ListComplianceItems", "ListComplianceSummaries", "ListDocumentMetadataHistory", "ListDocumentVersions",
    "ListDocuments", "ListInventoryEntries", "ListNodes", "ListNodesSummary", "ListOpsItemEvents",
    "ListOpsItemRelatedItems", "ListOpsMetadata", "ListResourceComplianceSummaries", "ListResourceDataSync",
    "ListTagsForResource", "ModifyDocumentPermission", "PutComplianceItems", "PutInventory", "PutParameter",
    "PutResourcePolicy", "RegisterDefaultPatchBaseline", "RegisterPatchBaselineForPatchGroup",
    "RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow", "RemoveTagsFromResource",
    "ResetServiceSetting", "ResumeSession", "SendAutomationSignal", "SendCommand", "StartAccessRequest",
    "StartAssociationsOnce", "StartAutomationExecution", "StartChangeRequestExecution",
    "StartExecutionPreview", "StartSession", "StopAutomationExecution", "TerminateSession",
    "UnlabelParameterVersion", "UpdateAssociation", "UpdateAssociationStatus", "UpdateDocument",
    "UpdateDocumentDefaultVersion", "UpdateDocumentMetadata", "UpdateMaintenanceWindow",
    "UpdateMaintenanceWindowTarget", "UpdateMaintenanceWindowTask", "UpdateManagedInstanceRole",
    "UpdateOpsItem", "UpdateOpsMetadata", "UpdatePatchBaseline", "UpdateResourceDataSync",
    "UpdateServiceSetting",
};

}  // namespace

int SsmActionIndex(std::string_view action) {
  auto it = std::lower_bound(kActions.begin(), kActions.end(), action);
  if (it == kActions.end() || *it != action) return -1;
  return static_cast<int>(it - kActions.begin());
}

size_t SsmActionCount() { return kActions.size(); }

std::string_view SsmActionName(int index) {
  if (index < 0 || static_cast<size_t>(index) >= kActions.size()) return {};
  return kActions[static_cast<size_t>(index)];
}

std::string_view ActionFromTarget(std::string_view target) {
  std::string_view prefix = kSsmTargetPrefix;
  return target.substr(0, prefix.size()) == prefix ? target.substr(prefix.size()) : std::string_view();
}

}  // namespace ssm

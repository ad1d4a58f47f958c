// A JS SDK v3 client of the end-to-end tests: GetCommandInvocation TIMES times on one invocation,
// printing one JSON line per answer: {"status": HTTP status, "requestId": ..., "outcome": Status or
// error name}. The endpoint comes from the environment (AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL, as
// an application that sets nothing in code), or from --endpoint URL, passed as the client's `endpoint`.
//
//   node poll_invocation.mjs [--endpoint URL] TIMES COMMAND_ID INSTANCE_ID
import { SSMClient, GetCommandInvocationCommand } from "@aws-sdk/client-ssm";

const args = process.argv.slice(2);
const config = { maxAttempts: 1 };
if (args[0] === "--endpoint") {
  config.endpoint = args[1];
  args.splice(0, 2);
}
const [times, CommandId, InstanceId] = args;
const client = new SSMClient(config);

for (let i = 0; i < Number(times); i++) {
  try {
    const answer = await client.send(new GetCommandInvocationCommand({ CommandId, InstanceId }));
    const { httpStatusCode, requestId } = answer.$metadata;
    console.log(JSON.stringify({ status: httpStatusCode, requestId, outcome: answer.Status }));
  } catch (error) {
    if (!error.$metadata || !error.$metadata.httpStatusCode) throw error;  // no answer at all
    const { httpStatusCode, requestId } = error.$metadata;
    console.log(JSON.stringify({ status: httpStatusCode, requestId, outcome: error.name }));
  }
}

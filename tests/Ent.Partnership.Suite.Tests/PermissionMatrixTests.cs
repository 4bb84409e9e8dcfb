using System.Net;
using System.Text.Json;

namespace Ent.Partnership.Suite.Tests;

/// <summary>
/// Every operation of the API reference, called with the key of each role (SPEC section 8), on resources that
/// do not exist and with a body that names no field: a role that may not call it is refused (403) before
/// any validation or lookup; a role that may gets past the role check (an answer about its input instead).
/// </summary>
[Collection(SuiteFixture.Collection)]
public sealed class PermissionMatrixTests(SuiteFixture suite) : IClassFixture<SuiteFixture>
{
    private const string RoleRefusal = "Le rôle de cette clé ne permet pas cet appel.";

    private static readonly Dictionary<string, string> KeysByRole = new()
    {
        ["admin"] = "dev-admin-key",
        ["collectivity"] = "dev-moselle-key",
        ["academic"] = "dev-rectorat-strasbourg-key",
        ["ent-provider"] = "dev-ent-key",
        ["observer"] = "dev-observer-key",
    };

    private static readonly string[] Admin = ["admin"];
    private static readonly string[] Everyone = ["admin", "collectivity", "academic", "ent-provider", "observer"];
    private static readonly string[] Signers = ["admin", "collectivity", "academic"];
    private static readonly string[] Drafters = ["admin", "collectivity"];
    private static readonly string[] Reviewers = ["admin", "academic"];

    /// <summary>Who may call each write; every read (GET) is open to every role, what it shows depending on the party.</summary>
    private static readonly Dictionary<string, string[]> Writers = new()
    {
        ["Parties_CreateParty"] = Admin,
        ["Parties_UpdateParty"] = Admin,
        ["Parties_SucceedParty"] = Admin,
        ["Parties_ImportSchools"] = Admin,
        ["Parties_CreateMembership"] = Admin,
        ["Parties_UpdateMembership"] = Admin,
        ["Conventions_CreateConvention"] = Admin,
        ["Conventions_UpdateConvention"] = Admin,
        ["Conventions_SubmitConvention"] = Admin,
        ["Conventions_ReopenConvention"] = Admin,
        ["Conventions_TerminateConvention"] = Admin,
        ["Conventions_CancelTermination"] = Admin,
        ["Conventions_UpdateMeeting"] = Admin,
        ["Conventions_CancelMeeting"] = Admin,
        ["Conventions_UpdateAmendment"] = Admin,
        ["Conventions_CreateDeliberation"] = Signers,
        ["Conventions_CreateDeliberation_1"] = Signers,
        ["Conventions_UpdateDeliberation"] = Signers,
        ["Conventions_UpdateDeliberation_1"] = Signers,
        ["Conventions_CreateSignature"] = Signers,
        ["Conventions_CreateSignature_1"] = Signers,
        ["Conventions_CreateMeeting"] = Admin,
        ["Conventions_HoldMeeting"] = Admin,
        ["Conventions_RecordDecision"] = Admin,
        ["Conventions_CreateAmendment"] = Admin,
        ["Conventions_SubmitAmendment"] = Admin,
        ["Conventions_ReopenAmendment"] = Admin,
        ["Conventions_AbandonAmendment"] = Admin,
        ["Obligations_CreateEvidence"] = Signers,
        ["Obligations_CreateTicket"] = Signers,
        ["Obligations_RespondTicket"] = Signers,
        ["Obligations_PauseTicket"] = Signers,
        ["Obligations_ResumeTicket"] = Signers,
        ["Obligations_SolveTicket"] = Signers,
        ["Obligations_CloseTicket"] = Signers,
        ["Obligations_ReopenTicket"] = Signers,
        ["Communications_CreateCommunication"] = Drafters,
        ["Communications_UpdateCommunication"] = Drafters,
        ["Communications_DeleteCommunication"] = Drafters,
        ["Communications_CheckCommunication"] = Signers,
        ["Communications_SubmitCommunication"] = Drafters,
        ["Communications_WithdrawCommunication"] = Drafters,
        ["Communications_RetryCommunicationDeliveries"] = Drafters,
        ["Communications_ApproveCommunication"] = Reviewers,
        ["Communications_RequestCommunicationChanges"] = Reviewers,
        ["Communications_RejectCommunication"] = Reviewers,
        ["Communications_CreateElection"] = Admin,
        ["Communications_UpdateElection"] = Admin,
        ["Communications_DeleteElection"] = Admin,
        // Every role keeps its own webhooks: each receives only what it may read.
        ["Notifications_CreateWebhook"] = Everyone,
        ["Notifications_UpdateWebhook"] = Everyone,
        ["Notifications_DeleteWebhook"] = Everyone,
        ["Notifications_RedeliverDelivery"] = Everyone,
        ["Notifications_PingWebhook"] = Everyone,
    };

    [Fact]
    public async Task EveryRole_CallsOnlyTheOperationsItMay()
    {
        var document = JsonDocument.Parse(await suite.Gateway.GetStringAsync("/openapi/v1.json")).RootElement;
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Verb: o.Name, Id: o.Value.GetProperty("operationId").GetString()!, HasBody: o.Value.TryGetProperty("requestBody", out _))))
            .ToList();
        var unclassified = operations.Where(o => o.Verb != "get" && !Writers.ContainsKey(o.Id)).Select(o => o.Id).ToList();
        Assert.True(unclassified.Count == 0, "Operations the matrix does not classify: " + string.Join(", ", unclassified));

        var wrong = new List<string>();
        foreach (var operation in operations)
        {
            var allowed = operation.Verb == "get" ? Everyone : Writers[operation.Id];
            var path = System.Text.RegularExpressions.Regex.Replace(operation.Path, @"\{[a-zA-Z]+\}", "matrix-none");
            foreach (var (role, key) in KeysByRole)
            {
                using var request = new HttpRequestMessage(new HttpMethod(operation.Verb.ToUpperInvariant()), path);
                request.Headers.Add("X-Api-Key", key);
                if (operation.HasBody)
                {
                    request.Content = new StringContent("""{"matrixNotAField": true}""", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await suite.Gateway.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var refusedForRole = response.StatusCode == HttpStatusCode.Forbidden && body.Contains(RoleRefusal, StringComparison.Ordinal);
                var expected = allowed.Contains(role);
                if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.Unauthorized || refusedForRole == expected)
                {
                    wrong.Add($"{role} {operation.Verb.ToUpperInvariant()} {operation.Path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 160)]}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} answers break the matrix:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public async Task OnAMessageEveryoneSees_OnlyItsIssuerAndItsReviewersAct()
    {
        await suite.ImportSchoolsOnceAsync();
        var gateway = new Gateway(suite.Gateway);
        var message = JsonSerializer.Serialize(new
        {
            title = "Transports scolaires",
            body = "Les horaires des cars changent lundi.",
            category = "TRANSPORT",
            audiences = new[] { "PARENTS" },
            targets = new { schools = new[] { "parties/uai-0671001z" } },
            expireTime = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });
        var name = (await gateway.OkAsync(HttpMethod.Post, "/v1/communications", "dev-cea-key", message)).GetProperty("name").GetString()!;
        await gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:submit", "dev-cea-key", "{}");
        await gateway.OkAsync(HttpMethod.Post, $"/v1/{name}:approve", "dev-rectorat-strasbourg-key", "{}");

        (HttpMethod Method, string Path, string Key, string Body)[] refused =
        [
            (HttpMethod.Patch, $"/v1/{name}", "dev-moselle-key", """{"title": "Autre"}"""),
            (HttpMethod.Delete, $"/v1/{name}", "dev-moselle-key", ""),
            (HttpMethod.Post, $"/v1/{name}:submit", "dev-moselle-key", "{}"),
            (HttpMethod.Post, $"/v1/{name}:withdraw", "dev-moselle-key", "{}"),
            (HttpMethod.Post, $"/v1/{name}:retryDeliveries", "dev-region-key", "{}"),
            (HttpMethod.Post, $"/v1/{name}:approve", "dev-rectorat-nancy-metz-key", "{}"),
            (HttpMethod.Post, $"/v1/{name}:requestChanges", "dev-rectorat-nancy-metz-key", """{"comment": "Non."}"""),
            (HttpMethod.Post, $"/v1/{name}:reject", "dev-rectorat-nancy-metz-key", """{"comment": "Non."}"""),
        ];
        foreach (var (method, path, key, body) in refused)
        {
            var response = await gateway.SendAsync(method, path, key, body.Length > 0 ? body : null);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{key} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal("parties/cea", (await gateway.OkAsync(HttpMethod.Get, $"/v1/{name}", "dev-observer-key")).GetProperty("issuer").GetString());
    }
}

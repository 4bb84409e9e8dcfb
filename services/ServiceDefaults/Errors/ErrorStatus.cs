using Ent.Partnership.Common.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Http;

namespace Ent.Partnership.ServiceDefaults.Errors;

/// <summary>Builds the <c>google.rpc.Status</c> of every error the suite answers.</summary>
public static class ErrorStatus
{
    public const string Domain = "ent.partnership";

    /// <summary>The detail types a REST caller may receive; the transcoder needs them to write JSON.</summary>
    public static readonly TypeRegistry DetailTypes = TypeRegistry.FromMessages(
        BadRequest.Descriptor, PreconditionFailure.Descriptor, ErrorInfo.Descriptor, ResourceInfo.Descriptor);

    private static readonly JsonFormatter JsonFormatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(DetailTypes));

    public static Google.Rpc.Status Create(Code code, string message, ErrorReason reason, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        status.Details.Add(Any.Pack(new ErrorInfo { Reason = ReasonName(reason), Domain = Domain }));
        return status;
    }

    public static Google.Rpc.Status From(DomainException exception) => exception switch
    {
        InvalidArgumentException e => Create(Code.InvalidArgument, e.Message, ErrorReason.InvalidField, ToBadRequest(e.Violations)),
        FailedPreconditionException e => Create(Code.FailedPrecondition, e.Message, ErrorReason.ConditionNotMet, ToPreconditionFailure(e.Conditions)),
        NotFoundException e => Create(Code.NotFound, e.Message, ErrorReason.ResourceNotFound, new ResourceInfo { ResourceName = e.ResourceName }),
        AlreadyExistsException e => Create(Code.AlreadyExists, e.Message, ErrorReason.ResourceExists, new ResourceInfo { ResourceName = e.ResourceName }),
        ConcurrencyConflictException e => Create(Code.Aborted, e.Message, ErrorReason.EtagMismatch, new ResourceInfo { ResourceName = e.ResourceName }),
        PermissionDeniedException e => Create(Code.PermissionDenied, e.Message, ErrorReason.CallerNotAllowed),
        UnavailableException e => Create(e.TimedOut ? Code.DeadlineExceeded : Code.Unavailable, e.Message, ErrorReason.ServiceUnavailable),
        _ => Create(Code.Internal, "Erreur interne.", ErrorReason.Unspecified),
    };

    public static BadRequest ToBadRequest(IEnumerable<FieldViolation> violations)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation
        {
            Field = v.Field,
            Description = v.Description,
        }));
        return badRequest;
    }

    public static PreconditionFailure ToPreconditionFailure(IEnumerable<UnmetCondition> conditions)
    {
        var failure = new PreconditionFailure();
        failure.Violations.AddRange(conditions.Select(c => new PreconditionFailure.Types.Violation
        {
            Type = c.Type,
            Subject = c.Subject,
            Description = c.Description,
        }));
        return failure;
    }

    /// <summary>The proto name of a reason (<c>ETAG_MISMATCH</c>), the stable identifier clients see.</summary>
    public static string ReasonName(ErrorReason reason) =>
        ReasonDescriptor.FindValueByNumber((int)reason).Name;

    private static readonly EnumDescriptor ReasonDescriptor = ErrorsReflection.Descriptor.FindTypeByName<EnumDescriptor>("ErrorReason");

    /// <summary>The status as the JSON that REST callers receive.</summary>
    public static string ToJson(Google.Rpc.Status status) => JsonFormatter.Format(status);

    /// <summary>The HTTP status that goes with a gRPC code, as the transcoder maps them.</summary>
    public static int HttpStatusOf(Code code) => code switch
    {
        Code.InvalidArgument or Code.FailedPrecondition or Code.OutOfRange => StatusCodes.Status400BadRequest,
        Code.Unauthenticated => StatusCodes.Status401Unauthorized,
        Code.PermissionDenied => StatusCodes.Status403Forbidden,
        Code.NotFound => StatusCodes.Status404NotFound,
        Code.AlreadyExists or Code.Aborted => StatusCodes.Status409Conflict,
        Code.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        Code.Unimplemented => StatusCodes.Status501NotImplemented,
        Code.Unavailable => StatusCodes.Status503ServiceUnavailable,
        Code.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}

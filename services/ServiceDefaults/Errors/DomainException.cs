namespace Ent.Partnership.ServiceDefaults.Errors;

/// <summary>An error the caller can act on; <see cref="ErrorInterceptor"/> turns it into a gRPC status.</summary>
public abstract class DomainException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One field of the request is wrong; maps to INVALID_ARGUMENT with BadRequest violations.</summary>
public sealed class InvalidArgumentException(IReadOnlyList<FieldViolation> violations)
    : DomainException(violations.Count == 1 ? violations[0].Description : "La requête contient des champs invalides.")
{
    public InvalidArgumentException(string field, string description) : this([new FieldViolation(field, description)])
    {
    }

    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
}

/// <summary>A rule or the resource's state refuses the request; maps to FAILED_PRECONDITION.</summary>
public sealed class FailedPreconditionException(string message, IReadOnlyList<UnmetCondition> conditions)
    : DomainException(message)
{
    public FailedPreconditionException(string type, string subject, string description)
        : this(description, [new UnmetCondition(type, subject, description)])
    {
    }

    public IReadOnlyList<UnmetCondition> Conditions { get; } = conditions;
}

/// <summary>The resource does not exist, or the caller may not see it.</summary>
public sealed class NotFoundException(string resourceName)
    : DomainException($"La ressource {resourceName} est introuvable.")
{
    public string ResourceName { get; } = resourceName;
}

/// <summary>A resource with the same identity exists already; maps to ALREADY_EXISTS.</summary>
public sealed class AlreadyExistsException(string resourceName, string message) : DomainException(message)
{
    public string ResourceName { get; } = resourceName;
}

/// <summary>The write was based on a stale version of the resource; maps to ABORTED.</summary>
public sealed class ConcurrencyConflictException(string resourceName)
    : DomainException($"La ressource {resourceName} a changé depuis sa lecture : relisez-la et recommencez.")
{
    public string ResourceName { get; } = resourceName;
}

/// <summary>The caller is known but may not do this; maps to PERMISSION_DENIED.</summary>
public sealed class PermissionDeniedException(string message) : DomainException(message);

/// <summary>
/// Something the request needs (the store, another service) does not answer now; maps to UNAVAILABLE, or
/// DEADLINE_EXCEEDED when it did not answer in time. The client may retry (with its <c>requestId</c>).
/// </summary>
public sealed class UnavailableException(string message, bool timedOut = false, Exception? inner = null) : DomainException(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>Turns a failure of a building block (a store's client, say) into the domain exception a caller can act on.</summary>
public interface IErrorTranslator
{
    /// <summary>The exception to answer instead, or null when this translator does not know <paramref name="exception"/>.</summary>
    DomainException? Translate(Exception exception);
}

/// <summary>A field that is wrong, and why (in French).</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>A condition that keeps a request from being carried out.</summary>
public sealed record UnmetCondition(string Type, string Subject, string Description);

using Ent.Partnership.Storage;

namespace Ent.Partnership.Conventions.V1;

// Each history method's own request reads as any other's.
public sealed partial class GetConventionHistoryRequest : IHistoryRequest;

public sealed partial class GetAmendmentHistoryRequest : IHistoryRequest;

public sealed partial class GetMeetingHistoryRequest : IHistoryRequest;

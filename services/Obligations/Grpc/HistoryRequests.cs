using Ent.Partnership.Storage;

namespace Ent.Partnership.Obligations.V1;

// Each history method's own request reads as any other's.
public sealed partial class GetObligationHistoryRequest : IHistoryRequest;

public sealed partial class GetTicketHistoryRequest : IHistoryRequest;

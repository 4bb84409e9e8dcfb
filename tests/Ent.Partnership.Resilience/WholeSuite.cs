using Ent.Partnership.Suite.Tests;

namespace Ent.Partnership.Resilience;

/// <summary>The resilience classes share one whole suite: each start costs half a minute on two cores.</summary>
[CollectionDefinition(SuiteFixture.Collection)]
public sealed class WholeSuite : ICollectionFixture<SuiteFixture>;

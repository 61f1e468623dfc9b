// Every test here starts real servers, coturn's clients or Chromium; on two cores they must run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

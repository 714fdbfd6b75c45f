"""Request and response models (pydantic): the contract each handler declares."""

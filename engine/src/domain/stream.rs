//! Stream names: every aggregate instance has one stream, named by its category and its
//! id (`customer-42`). This is the one place such a name is built or taken apart.

/// The insurance system's stream categories, one per kind of aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Customer,
    Quote,
    Policy,
    Notification,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Customer,
        Category::Quote,
        Category::Policy,
        Category::Notification,
    ];

    /// The category's name, which starts each of its streams' names.
    pub fn name(self) -> &'static str {
        match self {
            Category::Customer => "customer",
            Category::Quote => "quote",
            Category::Policy => "policy",
            Category::Notification => "notification",
        }
    }

    /// The stream of the aggregate `id` in this category: `customer-42`.
    pub fn stream(self, id: &str) -> String {
        format!("{}-{id}", self.name())
    }

    /// The category a stream belongs to (the part of its name before the first `-`), if
    /// it is one of the insurance system's.
    pub fn of(stream: &str) -> Option<Category> {
        let category = stream.split('-').next()?;
        Category::ALL.into_iter().find(|c| c.name() == category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_name_is_its_category_and_id_and_reads_back() {
        for category in Category::ALL {
            let stream = category.stream("42");
            assert_eq!(stream, format!("{}-42", category.name()));
            assert_eq!(Category::of(&stream), Some(category));
        }
        assert_eq!(
            Category::of("customer-a-b"),
            Some(Category::Customer),
            "an id may hold dashes"
        );
        assert_eq!(Category::of("customers-1"), None, "a longer word");
        assert_eq!(Category::of("claims-1"), None, "not the insurance system's");
    }
}
